"""The OpenAPI document of the whole /api/v1: the metrics API's, with the read API's paths."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, create_model
from pydantic.json_schema import models_json_schema

from bot.metrics.api import openapi_document as metrics_document
from bot.record.api import DEFAULT_LIMIT, MAX_LIMIT
from bot.record.schema import (
    AnswerRow,
    ChangeRow,
    DecisionRow,
    HypothesisRow,
    Page,
    ReviewRow,
    SampleRow,
)
from bot.record.service import Kind

ROW_MODELS: dict[Kind, type[BaseModel]] = {
    Kind.HYPOTHESES: HypothesisRow,
    Kind.REVIEWS: ReviewRow,
    Kind.ANSWERS: AnswerRow,
    Kind.DECISIONS: DecisionRow,
    Kind.METRICS: SampleRow,
    Kind.CHANGES: ChangeRow,
}

_SUMMARIES = {
    Kind.HYPOTHESES: "The project's saved hypotheses, with verdicts and deciding metrics",
    Kind.REVIEWS: "The project's gate reviews",
    Kind.ANSWERS: "Every answer given in the project's gate reviews, with who and when",
    Kind.DECISIONS: "The go / no-go / iterate / sunset decisions, with who, when and why",
    Kind.METRICS: "The values reported for the project's metrics",
    Kind.CHANGES: "Edits of thresholds, owners, guardrails and questions, before and after",
}


def _page_models() -> dict[Kind, type[BaseModel]]:
    return {
        kind: create_model(
            f"{model.__name__.removesuffix('Row')}Page",
            __base__=Page,
            __doc__=f"A page of {kind.value}, oldest id first.",
            data=(list[model], ...),  # type: ignore[valid-type]
        )
        for kind, model in ROW_MODELS.items()
    }


def _json(description: str, model: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{model}"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(kind: Kind, page: str) -> dict[str, Any]:
    refused = "ErrorResponse"
    return {
        "get": {
            "operationId": f"list{kind.value.title()}",
            "summary": _SUMMARIES[kind],
            "security": [{"bearer": []}],
            "parameters": [
                {
                    "name": "project_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                    "description": "The project the read token was made in.",
                },
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_LIMIT,
                        "default": DEFAULT_LIMIT,
                    },
                },
                {
                    "name": "cursor",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "The `next_cursor` of the previous page; none for the first.",
                },
            ],
            "responses": {
                "200": _json("A page of rows, oldest id first.", page),
                "400": _json("A `limit` or `cursor` that cannot be used.", refused),
                "401": _json("No token, or an unknown or revoked one.", refused),
                "403": _json("An ingest token: reading needs a read token.", refused),
                "404": _json("Not this token's project (or no such project).", refused),
                "429": _json("Over 60 requests a minute for this token.", refused),
            },
        }
    }


def openapi_document(server: str) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the metrics API and the read API together."""
    document = metrics_document(server=server)
    pages = _page_models()
    _, schemas = models_json_schema(
        [(model, "serialization") for model in pages.values()],
        ref_template="#/components/schemas/{model}",
    )
    document["components"]["schemas"].update(schemas["$defs"])
    for kind, page in pages.items():
        path = f"/api/v1/projects/{{project_id}}/{kind.value}"
        document["paths"][path] = _operation(kind, page.__name__)
    document["info"]["title"] = "gatebot API"
    document["info"]["description"] += (
        " With a read token (/metric token read), read the project's record a page at a time."
    )
    return document
