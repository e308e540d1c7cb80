"""Behaviours every `PopulationRegister` adapter must have.

To check an adapter, subclass `PopulationRegisterContract` in a test module (named test_*.py)
and provide two fixtures: `register`, the adapter under test, and `sample`, a few persons known
to be in the register behind it."""

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from lifegate.registries.adapters import Person, PopulationRegister


@dataclass(frozen=True)
class RegisterSample:
    """Persons the register behind the adapter is known to hold."""

    parent_bsn: str  # holds parental authority over `minor_child_bsn`
    minor_child_bsn: str
    eidas_person_identifier: str  # linked to a non-resident
    unknown_bsn: str  # passes the elfproef, but nobody has it


def found(person: Person | None) -> Person:
    assert person is not None
    return person


class PopulationRegisterContract:
    """The contract. Test names say what every adapter must do."""

    @pytest.fixture
    def register(self) -> PopulationRegister:
        raise NotImplementedError("the adapter's test module provides `register`")

    @pytest.fixture
    def sample(self) -> RegisterSample:
        raise NotImplementedError("the adapter's test module provides `sample`")

    @pytest.fixture
    def eidas_person(self, register: PopulationRegister, sample: RegisterSample) -> Person:
        return found(register.get_person_by_eidas(sample.eidas_person_identifier))

    def test_it_implements_the_protocol(self, register: PopulationRegister) -> None:
        assert isinstance(register, PopulationRegister)

    def test_it_finds_a_person_by_bsn(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        person = found(register.get_person(sample.parent_bsn))
        assert person.bsn == sample.parent_bsn
        assert person.family_name in person.full_name
        assert person.full_name.startswith(person.given_names)

    def test_it_tells_which_identifiers_of_a_batch_are_registered(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        found_ids = register.registered(
            [sample.parent_bsn, sample.minor_child_bsn, sample.unknown_bsn, "not-a-bsn"],
            [sample.eidas_person_identifier, "DE/NL/unknown-person"],
        )
        assert found_ids == {
            sample.parent_bsn,
            sample.minor_child_bsn,
            sample.eidas_person_identifier,
        }

    def test_it_returns_none_for_an_unknown_bsn(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        assert register.get_person(sample.unknown_bsn) is None

    @pytest.mark.parametrize("bsn", ["", "12345", "abcdefghi", "999999998", "9999999990"])
    def test_it_returns_none_for_a_malformed_bsn(
        self, register: PopulationRegister, bsn: str
    ) -> None:
        assert register.get_person(bsn) is None

    def test_persons_are_immutable(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        person = found(register.get_person(sample.parent_bsn))
        with pytest.raises(dataclasses.FrozenInstanceError):
            person.family_name = "Changed"  # type: ignore[misc]

    def test_a_resident_has_an_address(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        person = found(register.get_person(sample.parent_bsn))
        assert person.resident
        assert person.address is not None and person.address.postcode

    def test_parent_and_child_name_each_other(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        parent = found(register.get_person(sample.parent_bsn))
        child = found(register.get_person(sample.minor_child_bsn))
        assert sample.minor_child_bsn in parent.children
        assert sample.parent_bsn in child.parents

    def test_the_own_registration_is_the_same_person_without_family(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        whole = found(register.get_person(sample.parent_bsn))
        own = found(register.get_person(sample.parent_bsn, family=False))
        assert whole.children
        assert own.children == own.parents == own.partners == ()
        assert (own.full_name, own.date_of_birth, own.address) == (
            whole.full_name,
            whole.date_of_birth,
            whole.address,
        )

    def test_the_own_registration_by_eidas_identifier_is_the_same_person(
        self, register: PopulationRegister, eidas_person: Person, sample: RegisterSample
    ) -> None:
        own = register.get_person_by_eidas(sample.eidas_person_identifier, family=False)
        assert own is not None
        assert (own.bsn, own.full_name) == (eidas_person.bsn, eidas_person.full_name)

    def test_children_of_a_parent_include_the_child(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        children = register.children_of(sample.parent_bsn)
        assert sample.minor_child_bsn in [c.bsn for c in children]
        assert all(sample.parent_bsn in child.parents for child in children)
        births = [c.date_of_birth for c in children]
        assert births == sorted(births)

    def test_parents_of_a_child_include_the_parent(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        parents = register.parents_of(sample.minor_child_bsn)
        assert sample.parent_bsn in [p.bsn for p in parents]
        assert all(sample.minor_child_bsn in parent.children for parent in parents)

    def test_a_minor_has_parental_authority_holders(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        child = found(register.get_person(sample.minor_child_bsn))
        assert child.is_minor_on(date.today())
        holders = register.parental_authority_holders(sample.minor_child_bsn)
        assert sample.parent_bsn in [h.bsn for h in holders]
        assert {h.bsn for h in holders} == set(child.parental_authority_holders)
        assert set(child.parental_authority_holders) <= set(child.parents)

    def test_an_adult_has_no_parental_authority_holders(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        assert register.parental_authority_holders(sample.parent_bsn) == []

    def test_parental_authority_is_one_answer_per_parent_and_child(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        assert register.holds_parental_authority(sample.parent_bsn, sample.minor_child_bsn)
        assert not register.holds_parental_authority(sample.minor_child_bsn, sample.parent_bsn)
        assert not register.holds_parental_authority(sample.unknown_bsn, sample.minor_child_bsn)
        for holder in register.parental_authority_holders(sample.minor_child_bsn):
            assert register.holds_parental_authority(holder.bsn, sample.minor_child_bsn)

    def test_relations_of_an_unknown_person_are_empty(
        self, register: PopulationRegister, sample: RegisterSample
    ) -> None:
        assert register.children_of(sample.unknown_bsn) == []
        assert register.parents_of(sample.unknown_bsn) == []
        assert register.parental_authority_holders(sample.unknown_bsn) == []

    def test_it_finds_a_person_by_eidas_identifier(
        self, eidas_person: Person, sample: RegisterSample
    ) -> None:
        assert eidas_person.eidas_person_identifier == sample.eidas_person_identifier
        assert not eidas_person.resident
        assert eidas_person.address is None

    @pytest.mark.parametrize("identifier", ["DE/NL/unknown-person", "not-an-identifier", ""])
    def test_it_returns_none_for_an_unknown_eidas_identifier(
        self, register: PopulationRegister, identifier: str
    ) -> None:
        assert register.get_person_by_eidas(identifier) is None

    def test_match_eidas_accepts_the_registered_attributes(
        self, register: PopulationRegister, eidas_person: Person
    ) -> None:
        match = register.match_eidas(
            eidas_person.eidas_person_identifier or "",
            eidas_person.family_name_with_prefix,
            eidas_person.given_names,
            eidas_person.date_of_birth,
        )
        assert match == eidas_person

    def test_match_eidas_ignores_case_and_accents(
        self, register: PopulationRegister, eidas_person: Person
    ) -> None:
        match = register.match_eidas(
            eidas_person.eidas_person_identifier or "",
            eidas_person.family_name_with_prefix.upper(),
            f"  {eidas_person.given_names.lower()} ",
            eidas_person.date_of_birth,
        )
        assert match == eidas_person

    def test_match_eidas_rejects_another_date_of_birth(
        self, register: PopulationRegister, eidas_person: Person
    ) -> None:
        other_day = eidas_person.date_of_birth + timedelta(days=1)
        identifier = eidas_person.eidas_person_identifier or ""
        name = eidas_person.family_name_with_prefix
        assert register.match_eidas(identifier, name, eidas_person.given_names, other_day) is None

    def test_match_eidas_rejects_another_name(
        self, register: PopulationRegister, eidas_person: Person
    ) -> None:
        identifier = eidas_person.eidas_person_identifier or ""
        born = eidas_person.date_of_birth
        assert (
            register.match_eidas(identifier, "Someone-Else", eidas_person.given_names, born) is None
        )
        assert (
            register.match_eidas(identifier, eidas_person.family_name_with_prefix, "Nobody", born)
            is None
        )

    def test_match_eidas_rejects_an_unknown_identity(self, register: PopulationRegister) -> None:
        assert register.match_eidas("EE/NL/nobody", "Tamm", "Mari", date(1990, 1, 1)) is None
