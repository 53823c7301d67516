"""The OpenAPI document states the bounds the API checks, in JSON Schema's own words (found by schemathesis)."""

from config.api import api

PYDANTIC_ONLY = {"ge", "gt", "le", "lt"}


def walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}/{i}")


def test_no_bound_is_written_in_pydantic_keywords_that_json_schema_ignores():
    document = api.get_openapi_schema(path_prefix="/api/v1/")
    unknown = [
        path for path, node in walk(document) if node.get("type") == "integer" and PYDANTIC_ONLY & set(node)
    ]
    assert unknown == []


def test_amounts_and_ratings_carry_minimum_and_maximum():
    schemas = api.get_openapi_schema(path_prefix="/api/v1/")["components"]["schemas"]
    planned = schemas["ApplicationUpdate"]["properties"]["planned_spend_cents"]["anyOf"][0]
    assert (planned["exclusiveMinimum"], planned["maximum"]) == (0, 100_000_000_000)
    days = schemas["OfferIn"]["properties"]["delivery_days"]
    assert (days["minimum"], days["maximum"]) == (1, 730)
