"""CREATE CATALOG, DROP CATALOG, SHOW CATALOGS, REFRESH CATALOG."""

from __future__ import annotations

from airflow_provider_doris_oss.testing.doris_fe.parser_base import Parser
from airflow_provider_doris_oss.testing.doris_fe.statement_nodes import (
    CreateCatalogStmt,
    DropCatalogStmt,
    RefreshCatalogStmt,
    ShowCatalogsStmt,
)


def create_catalog_statement(p: Parser) -> CreateCatalogStmt:
    p.expect_kw("CREATE")
    p.expect_kw("CATALOG")
    if_not_exists = False
    if p.accept_kw("IF"):
        p.expect_kw("NOT")
        p.expect_kw("EXISTS")
        if_not_exists = True
    name = p.identifier()
    resource = None
    if p.accept_kw("WITH"):
        p.expect_kw("RESOURCE")
        resource = p.identifier()
    comment = p.string() if p.accept_kw("COMMENT") else None
    properties = p.property_list() if p.accept_kw("PROPERTIES") else {}
    p.end()
    return CreateCatalogStmt(name, if_not_exists, resource, comment, properties)


def drop_catalog_statement(p: Parser) -> DropCatalogStmt:
    p.expect_kw("DROP")
    p.expect_kw("CATALOG")
    if_exists = False
    if p.accept_kw("IF"):
        p.expect_kw("EXISTS")
        if_exists = True
    name = p.identifier()
    p.end()
    return DropCatalogStmt(name, if_exists)


def show_catalogs_statement(p: Parser) -> ShowCatalogsStmt:
    p.expect_kw("SHOW")
    p.expect_kw("CATALOGS")
    like = p.string() if p.accept_kw("LIKE") else None
    p.end()
    return ShowCatalogsStmt(like)


def refresh_catalog_statement(p: Parser) -> RefreshCatalogStmt:
    p.expect_kw("REFRESH")
    p.expect_kw("CATALOG")
    name = p.identifier()
    properties = p.property_list() if p.accept_kw("PROPERTIES") else {}
    p.end()
    return RefreshCatalogStmt(name, properties)
