# PLACEHOLDER — replaced by the catalogue building block.
from ninja import Router

router = Router(tags=["catalogue"])
