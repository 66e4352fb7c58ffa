"""How dbt nodes appear in Dagster: keys and groups follow the dbt folders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

LAYERS = ("staging", "intermediate", "marts")
LAYER_LABELS = {
    "staging": "清洗层 staging（只改名与类型转换）",
    "intermediate": "中间层 intermediate（口径计算）",
    "marts": "成果层 marts（报表与审计读取）",
    "reference": "参考数据 reference（村居、目标值、权重等种子表）",
}


def layer_of(props: Mapping[str, Any]) -> str:
    """staging / intermediate / marts for models (by folder), reference for seeds."""
    if props.get("resource_type") == "seed":
        return "reference"
    fqn = props.get("fqn") or []
    if len(fqn) > 2 and fqn[1] in LAYERS:
        return fqn[1]
    return "marts" if props.get("resource_type") == "model" else "raw"


class YiyeDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props.get("resource_type") in ("model", "seed", "snapshot"):
            return dg.AssetKey([layer_of(dbt_resource_props), dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)  # sources: meta.dagster.asset_key

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "source":
            return "raw"
        return layer_of(dbt_resource_props)

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        own = (dbt_resource_props.get("description") or "").strip()
        kind = dbt_resource_props.get("resource_type", "node")
        layer = LAYER_LABELS.get(layer_of(dbt_resource_props), "")
        head = own or f"dbt {kind} `{dbt_resource_props.get('name')}`"
        return f"{head}\n\n{layer}".strip()
