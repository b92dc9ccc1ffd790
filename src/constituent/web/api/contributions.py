"""Contributions (gifts): CRUD; every change lands in the contact's change log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from constituent.crm.contributions import service
from constituent.crm.contributions.schemas import ContributionCreate, ContributionOut, ContributionUpdate
from constituent.kit.numbers import DbInt
from constituent.web.api.pagination import Page, PageDep
from constituent.web.deps import PrincipalDep, SessionDep

router = APIRouter(prefix="/contributions", tags=["contributions"])


@router.get("", response_model=Page[ContributionOut])
def list_contributions(
    session: SessionDep,
    page: PageDep,
    contact_id: Annotated[DbInt | None, Query(description="Only this contact's gifts.")] = None,
) -> Page[ContributionOut]:
    gifts, total = service.list_contributions(
        session, contact_id=contact_id, limit=page.limit, offset=page.offset
    )
    return page.page([ContributionOut.model_validate(g) for g in gifts], total)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ContributionOut)
def create_contribution(
    data: ContributionCreate, session: SessionDep, principal: PrincipalDep
) -> ContributionOut:
    return ContributionOut.model_validate(service.create_contribution(session, data, principal.actor))


@router.get("/{contribution_id}", response_model=ContributionOut)
def get_contribution(contribution_id: DbInt, session: SessionDep) -> ContributionOut:
    return ContributionOut.model_validate(service.get_contribution(session, contribution_id))


@router.patch("/{contribution_id}", response_model=ContributionOut)
def update_contribution(
    contribution_id: DbInt, data: ContributionUpdate, session: SessionDep, principal: PrincipalDep
) -> ContributionOut:
    gift = service.update_contribution(session, contribution_id, data, principal.actor)
    return ContributionOut.model_validate(gift)


@router.delete("/{contribution_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_contribution(contribution_id: DbInt, session: SessionDep, principal: PrincipalDep) -> None:
    service.delete_contribution(session, contribution_id, principal.actor)
