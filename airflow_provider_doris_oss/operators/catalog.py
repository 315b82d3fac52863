"""``DorisCreateCatalogOperator``: an external catalog (Hive, Iceberg, Paimon, ...) whose data is in OSS."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperator

from airflow_provider_doris_oss import sql as doris_sql
from airflow_provider_doris_oss.arguments import CATALOG, Rule, check_arguments, check_rendered
from airflow_provider_doris_oss.operators._statement import run_statement

if TYPE_CHECKING:
    from airflow.sdk import Context


class DorisCreateCatalogOperator(BaseOperator):
    """Run ``CREATE CATALOG [IF NOT EXISTS] name [COMMENT ...] PROPERTIES (...)``.

    The catalog's own properties (``type``, ``warehouse``, metastore URIs, ...) come from
    ``catalog_properties``; the OSS endpoint, region and keys come from the OSS connection. A
    catalog property that names an OSS storage property is refused, so the connection stays the
    one place credentials live. Returns ``{"catalog": name, "type": type}``.

    :param catalog_name: the catalog's name (any characters; it is backticked).
    :param catalog_properties: the catalog's own properties; must include ``type``.
    :param comment: optional catalog comment.
    :param if_not_exists: add ``IF NOT EXISTS`` (default), so a retry or rerun succeeds.
    :param doris_conn_id: the Doris connection.
    :param oss_conn_id: the ``dorisoss`` connection holding the OSS endpoint and keys.
    """

    argument_rules: ClassVar[tuple[Rule, ...]] = CATALOG
    template_fields: Sequence[str] = ("catalog_name", "catalog_properties", "comment")
    template_fields_renderers = {"catalog_properties": "json"}
    ui_color = "#e3f1fb"

    def __init__(
        self,
        *,
        catalog_name: str,
        catalog_properties: Mapping[str, Any],
        comment: str | None = None,
        if_not_exists: bool = True,
        doris_conn_id: str = "doris_default",
        oss_conn_id: str = "doris_oss_default",
        **kwargs: Any,
    ) -> None:
        check_arguments(type(self).__name__, self.argument_rules, locals())
        super().__init__(**kwargs)
        self.catalog_name = catalog_name
        self.catalog_properties = dict(catalog_properties)
        self.comment = comment
        self.if_not_exists = if_not_exists
        self.doris_conn_id = doris_conn_id
        self.oss_conn_id = oss_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_doris_oss.hooks.doris import DorisHook
        from airflow_provider_doris_oss.hooks.oss import DorisOssHook

        check_rendered(type(self).__name__, self.argument_rules, self)
        oss = DorisOssHook(oss_conn_id=self.oss_conn_id)
        sql = doris_sql.build_create_catalog(
            self.catalog_name,
            self.catalog_properties,
            oss.doris_properties(),
            if_not_exists=self.if_not_exists,
            comment=self.comment,
        )
        hook = DorisHook(doris_conn_id=self.doris_conn_id)
        run_statement(hook, sql, secrets=oss.properties.secrets, log=self.log)
        catalog_type = next(
            (str(v) for k, v in self.catalog_properties.items() if k.strip().lower() == "type"), None
        )
        self.log.info("Catalog %r (type %s) is in place.", self.catalog_name, catalog_type)
        return {"catalog": self.catalog_name, "type": catalog_type}
