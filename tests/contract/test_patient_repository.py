"""PatientRepository contract, for every adapter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from attrs import evolve
from returns.result import Failure, Success

from adapters.sqlalchemy.uow import SqlAlchemyUnitOfWork
from ivr_domain.identity.model import Practice
from ivr_domain.patients.model import MaskedPatient, Sex
from ivr_domain.patients.ports import MemberIdSearch, NameAndBirthDate, PatientFilter
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import PatientId, new_id
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.paging import PageRequest
from ivr_domain.shared.values import PersonName
from tests.contract import builders
from tests.contract.conftest import Backend, UowFactory

ALL = Scope(everything=True)
BORN = date(1948, 7, 14)


def _practices(uow: UowFactory, count: int = 2) -> list[Practice]:
    made = [builders.practice() for _ in range(count)]
    with uow() as u:
        for p in made:
            u.practices.add(p)
        u.commit()
    return made


def test_round_trip_of_every_field(uow: UowFactory) -> None:
    (practice,) = _practices(uow, 1)
    full = builders.patient(practice.id, ivr_submitted=True)
    bare = builders.patient(practice.id, phone=None, email=None, address=None, insurances=(), sex=Sex.UNKNOWN)
    with uow() as u:
        u.patients.add(full)
        u.patients.add(bare)
        u.commit()
    with uow() as u:
        assert u.patients.get(full.id, scope=ALL) == full
        assert u.patients.get(bare.id, scope=ALL) == bare
        assert u.patients.get(PatientId(new_id()), scope=ALL) is None


def test_save_is_compare_and_set_and_replaces_insurances(uow: UowFactory) -> None:
    (practice,) = _practices(uow, 1)
    patient = builders.patient(practice.id)
    with uow() as u:
        u.patients.add(patient)
        u.commit()
    changed = evolve(
        patient,
        name=PersonName(first="Anna", last="Garcia-Lopez"),
        insurances=(builders.insurance(member_id="NEW-1", plan_type=PlanType.MEDICAID, subscriber=None),),
        updated_at=builders.later(),
    )
    with uow() as u:
        assert u.patients.save(changed) == Success(evolve(changed, version=2))
        assert u.patients.save(changed) == Failure(Conflict(entity="patient", id=str(patient.id)))
        u.commit()
    with uow() as u:
        assert u.patients.get(patient.id, scope=ALL) == evolve(changed, version=2)
        assert u.patients.save(patient) == Failure(Conflict(entity="patient", id=str(patient.id)))
        assert u.patients.search(MemberIdSearch(member_id="NEW-1"), scope=ALL, limit=5) == (evolve(changed, version=2),)
        assert u.patients.search(MemberIdSearch(member_id="ABC-123 456"), scope=ALL, limit=5) == ()


def test_rollback_discards(uow: UowFactory) -> None:
    (practice,) = _practices(uow, 1)
    patient = builders.patient(practice.id)
    with uow() as u:
        u.patients.add(patient)
    with uow() as u:
        assert u.patients.get(patient.id, scope=ALL) is None
        u.patients.add(patient)
        u.rollback()
        assert u.patients.get(patient.id, scope=ALL) is None
        u.patients.add(patient)
        u.commit()
    with uow() as u:
        saved = u.patients.save(evolve(patient, archived=True))
        assert isinstance(saved, Success)
    with uow() as u:
        assert u.patients.get(patient.id, scope=ALL) == patient


@pytest.mark.parametrize(
    ("last", "first"),
    [("garcía", None), ("  GARCIA ", "ana"), ("Garcia", " ÁNA  "), ("garcia", None)],
)
def test_search_by_name_and_birth_date_folds_case_accents_spacing(
    uow: UowFactory, last: str, first: str | None
) -> None:
    (practice,) = _practices(uow, 1)
    ana = builders.patient(practice.id, name=PersonName(first="Ana", last="García"))
    other = builders.patient(practice.id, name=PersonName(first="Bea", last="Garcia"))
    young = builders.patient(practice.id, date_of_birth=BORN + timedelta(days=1))
    with uow() as u:
        for p in (ana, other, young):
            u.patients.add(p)
        u.commit()
    with uow() as u:
        found = u.patients.search(
            NameAndBirthDate(last_name=last, first_name=first, date_of_birth=BORN), scope=ALL, limit=10
        )
        expected = {ana.id} if first else {ana.id, other.id}
        assert {p.id for p in found} == expected


def test_search_by_member_id_ignores_spaces_hyphens_and_case(uow: UowFactory) -> None:
    (practice,) = _practices(uow, 1)
    patient = builders.patient(practice.id)
    with uow() as u:
        u.patients.add(patient)
        u.commit()
    with uow() as u:
        for typed in ("abc123456", "ABC 123-456", "1eg4te5mk73"):
            assert u.patients.search(MemberIdSearch(member_id=typed), scope=ALL, limit=5) == (patient,)
        assert u.patients.search(MemberIdSearch(member_id="ABC12345"), scope=ALL, limit=5) == ()


def test_search_skips_archived_and_out_of_scope(uow: UowFactory) -> None:
    mine, theirs = _practices(uow)
    visible = builders.patient(mine.id)
    archived = builders.patient(mine.id, archived=True)
    elsewhere = builders.patient(theirs.id)
    submitted = builders.patient(theirs.id, ivr_submitted=True)
    with uow() as u:
        for p in (visible, archived, elsewhere, submitted):
            u.patients.add(p)
        u.commit()
    query = NameAndBirthDate(last_name="Garcia", date_of_birth=BORN)
    with uow() as u:
        found = u.patients.search(query, scope=Scope(practice_ids=frozenset({mine.id})), limit=10)
        assert [p.id for p in found] == [visible.id]
        staff = u.patients.search(query, scope=Scope(submitted_ivrs=True), limit=10)
        assert [p.id for p in staff] == [submitted.id]
        assert u.patients.search(query, scope=Scope(), limit=10) == ()
        assert len(u.patients.search(query, scope=ALL, limit=2)) == 2
        assert u.patients.get(archived.id, scope=ALL) == archived
        assert u.patients.get(elsewhere.id, scope=Scope(practice_ids=frozenset({mine.id}))) is None


def test_find_duplicate(uow: UowFactory) -> None:
    mine, theirs = _practices(uow)
    patient = builders.patient(mine.id)
    archived = builders.patient(theirs.id, archived=True)
    with uow() as u:
        u.patients.add(patient)
        u.patients.add(archived)
        u.commit()
    with uow() as u:
        dup = u.patients.find_duplicate(practice_id=mine.id, first_name=" ana", last_name="GARCIA", date_of_birth=BORN)
        assert dup == patient.id
        assert (
            u.patients.find_duplicate(practice_id=mine.id, first_name="Bea", last_name="Garcia", date_of_birth=BORN)
            is None
        )
        assert (
            u.patients.find_duplicate(practice_id=theirs.id, first_name="Ana", last_name="García", date_of_birth=BORN)
            is None
        )


def test_list_filters(uow: UowFactory) -> None:
    mine, theirs = _practices(uow)
    a = builders.patient(mine.id)
    b = builders.patient(mine.id)
    c = builders.patient(theirs.id, archived=True)
    d = builders.patient(theirs.id)
    with uow() as u:
        for p in (a, b, c, d):
            u.patients.add(p)
        u.commit()

    def ids(filters: PatientFilter, scope: Scope = ALL) -> list[PatientId]:
        with uow() as u:
            return [
                p.id for p in u.patients.list(scope=scope, filters=filters, page=PageRequest(sort="created_at")).items
            ]

    assert ids(PatientFilter()) == [a.id, b.id, d.id]
    assert ids(PatientFilter(archived=True)) == [c.id]
    assert ids(PatientFilter(practice_id=mine.id)) == [a.id, b.id]
    assert ids(PatientFilter(created_from=b.created_at)) == [b.id, d.id]
    assert ids(PatientFilter(created_to=b.created_at)) == [a.id]
    assert ids(PatientFilter(), Scope(practice_ids=frozenset({theirs.id}))) == [d.id]
    assert ids(PatientFilter(), Scope()) == []


def test_list_pages_by_updated_at_descending(uow: UowFactory) -> None:
    (practice,) = _practices(uow, 1)
    made = [builders.patient(practice.id) for _ in range(5)]
    with uow() as u:
        for p in made:
            u.patients.add(p)
        u.commit()
    seen: list[PatientId] = []
    cursor = None
    with uow() as u:
        while True:
            page = u.patients.list(
                scope=ALL, filters=PatientFilter(), page=PageRequest(limit=2, sort="-updated_at", cursor=cursor)
            )
            seen.extend(p.id for p in page.items)
            if (cursor := page.next_cursor) is None:
                break
    assert seen == [p.id for p in reversed(made)]
    assert InsuranceRank.PRIMARY in {i.rank for i in made[0].insurances}


def test_a_masked_page_is_the_full_page_masked(uow: UowFactory) -> None:
    mine, theirs = _practices(uow)
    made = [builders.patient(mine.id) for _ in range(4)] + [builders.patient(theirs.id, archived=True)]
    with uow() as u:
        for p in made:
            u.patients.add(p)
        u.commit()

    def every_page(read: str, scope: Scope, filters: PatientFilter) -> list[MaskedPatient]:
        seen: list[MaskedPatient] = []
        cursor = None
        with uow() as u:
            while True:
                request = PageRequest(limit=3, sort="-created_at", cursor=cursor)
                page = getattr(u.patients, read)(scope=scope, filters=filters, page=request)
                seen.extend(p if read == "list_masked" else MaskedPatient.of(p) for p in page.items)
                if (cursor := page.next_cursor) is None:
                    return seen

    scopes = (ALL, Scope(practice_ids=frozenset({mine.id})), Scope())
    for filters in (PatientFilter(), PatientFilter(archived=True), PatientFilter(practice_id=theirs.id)):
        for scope in scopes:
            assert every_page("list_masked", scope, filters) == every_page("list", scope, filters)
    assert every_page("list_masked", ALL, PatientFilter()) == [MaskedPatient.of(p) for p in reversed(made[:4])]
    searches = (
        NameAndBirthDate(last_name=made[0].name.last, date_of_birth=made[0].date_of_birth),
        MemberIdSearch(member_id=made[0].insurances[0].member_id),
    )
    with uow() as u:
        for scope in scopes:
            for p in made:
                full = u.patients.get(p.id, scope=scope)
                assert u.patients.get_masked(p.id, scope=scope) == (MaskedPatient.of(full) if full else None)
            for query in searches:
                matches = u.patients.search(query, scope=scope, limit=3)
                assert u.patients.search_masked(query, scope=scope, limit=3) == tuple(map(MaskedPatient.of, matches))
        assert u.patients.search_masked(searches[1], scope=ALL, limit=3)  # the comparison is not of nothing


def test_a_masked_page_opens_no_phi_but_the_names(backend: Backend) -> None:
    if backend.engine is None:
        pytest.skip("the memory adapter encrypts nothing")
    opened: list[str] = []

    class Watching:
        """The backend's cipher, noting the column of every ciphertext opened."""

        def __getattr__(self, name: str) -> object:
            return getattr(backend.cipher, name)

        def decrypt(self, ciphertext: bytes, *, context: str) -> str:
            opened.append(context.split(":", 1)[0])
            return backend.cipher.decrypt(ciphertext, context=context)

    fresh = backend.fresh()
    (practice,) = _practices(fresh, 1)
    with fresh() as u:
        for _ in range(3):
            u.patients.add(builders.patient(practice.id))
        u.commit()
    watched = SqlAlchemyUnitOfWork(backend.engine, cipher=Watching(), blind_index=backend.blind_index)  # type: ignore[arg-type]
    with watched as u:
        page = u.patients.list_masked(scope=ALL, filters=PatientFilter(), page=PageRequest())
        assert len(page.items) == 3
        assert u.patients.get_masked(page.items[0].id, scope=ALL) == page.items[0]
        found = u.patients.search_masked(MemberIdSearch(member_id="ABC-123 456"), scope=ALL, limit=5)
        assert len(found) == 3
    assert sorted(set(opened)) == ["patients.first_name", "patients.last_name"]
    assert len(opened) == 2 * (3 + 1 + 3)
    opened.clear()
    with watched as u:
        u.patients.list(scope=ALL, filters=PatientFilter(), page=PageRequest())
    assert "patient_insurances.member_id" in opened  # the full page opens every field: the comparison holds
