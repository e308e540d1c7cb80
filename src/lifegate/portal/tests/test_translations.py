"""Every user-facing string reads well in Dutch: nothing untranslated, nothing fuzzy.

Extracts the strings afresh from a copy of the source (so strings that were never added to the
catalogue count too) and merges them with the committed Dutch translations."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PO_ENTRY = re.compile(r"\n\n(?=#|msgid)")


def _unquote(lines: list[str]) -> str:
    return "".join(re.findall(r'"(.*)"', "\n".join(lines)))


def _parse(po_text: str) -> list[tuple[str, list[str], bool]]:
    """(msgid, [msgstr...], fuzzy) per entry of a .po file."""
    entries = []
    for block in PO_ENTRY.split(po_text):
        fields: dict[str, list[str]] = {}
        current = None
        for line in block.splitlines():
            match = re.match(r"(msgid_plural|msgid|msgstr(?:\[\d\])?) (\".*\")", line)
            if match:
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif line.startswith('"') and current:
                fields[current].append(line)
        if "msgid" in fields and _unquote(fields["msgid"]):
            strings = [_unquote(v) for k, v in fields.items() if k.startswith("msgstr")]
            entries.append((_unquote(fields["msgid"]), strings, "#, fuzzy" in block))
    return entries


def test_every_string_in_the_code_has_a_dutch_translation(tmp_path):
    source = Path(settings.BASE_DIR) / "src" / "lifegate"
    copy = tmp_path / "lifegate"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "data"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lifegate.settings"}
    command = [sys.executable, "-m", "django", "makemessages", "--locale", "nl", "--no-obsolete"]
    command += ["--no-location", "--ignore", "*/tests/*"]
    subprocess.run(command, cwd=copy, env=env, check=True, capture_output=True)

    entries = _parse((copy / "locale" / "nl" / "LC_MESSAGES" / "django.po").read_text())
    missing = [msgid for msgid, strings, fuzzy in entries if fuzzy or not all(strings)]
    assert len(entries) > 100
    assert not missing, f"{len(missing)} strings lack a Dutch translation, e.g. {missing[:5]}"
