"""The API's schemas: field types with Swedish errors, the endpoint decorator, the generated description.

An endpoint declares its query string, JSON body or multipart form and its answers once, as pydantic models, with
``@described(...)``; spectree validates the request against them and writes the endpoint into
/api/v1/openapi.json. A field's ``title`` is its Swedish label: a bad value is answered as
``{"fields": {"per_page": "Antal per sida måste vara ett heltal."}}`` with status 400, as everywhere in
the API; an unknown name is refused, so that a misspelt filter does not go unnoticed.
"""

from __future__ import annotations

import copy
import enum
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, ClassVar

from flask import current_app, request
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SkipValidation,
    WithJsonSchema,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as SchemaError
from pydantic_core import PydanticCustomError
from spectree import Response, SpecTree
from spectree.plugins.flask_plugin import FlaskPlugin
from werkzeug.datastructures import FileStorage

from app.api.schemas import INT_MAX, InputError, read_json_body, refuse_repeated_query_names

_DIGITS = re.compile(r"[0-9]{1,10}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class QueryText(str):
    """A value from the query string: always text, so its numbers are digits (a JSON body's are numbers)."""


def _problem(text: str) -> PydanticCustomError:
    """The error of one field: the translator puts the field's label before ``text``."""
    return PydanticCustomError("nf_input", "{problem}", {"problem": text})


def _whole(text: str) -> PydanticCustomError:
    """The error of one field, said in full (``text`` names the field itself)."""
    return PydanticCustomError("nf_whole", "{problem}", {"problem": text})


def _checked(convert) -> WrapValidator:
    """Convert a given value with ``convert`` (which raises our Swedish errors); null counts as not given."""

    def validate(value, handler):
        return None if value is None else handler(convert(value))

    return WrapValidator(validate)


def _to_int(maximum) -> Any:
    def convert(value):
        if isinstance(value, QueryText):
            if not _DIGITS.fullmatch(value):
                raise _problem("måste vara ett heltal.")
            value = int(value)
        elif not isinstance(value, int) or isinstance(value, bool):
            raise _problem("måste vara ett heltal.")
        if not 1 <= value <= maximum():
            raise _problem(f"måste vara mellan 1 och {maximum()}.")
        return value

    return _checked(convert)


def _text(value) -> str:
    if not isinstance(value, str):
        raise _problem("måste vara text.")
    if _CONTROL.search(value):
        raise _problem("innehåller otillåtna tecken.")
    return str(value)


def _to_text(max_length: int | None) -> Any:
    def convert(value):
        text = _text(value)
        if max_length is not None and len(text) > max_length:
            raise _problem(f"får vara högst {max_length} tecken.")
        return text

    return _checked(convert)


def _to_date(value) -> date:
    text = _text(value)
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise _problem("anges som ÅÅÅÅ-MM-DD, t.ex. 2017-02-23.")


def _to_object(value) -> dict:
    if not isinstance(value, dict):
        raise _problem("måste vara ett JSON-objekt.")
    return value


_BOOLEAN_TEXT = {"true": True, "1": True, "false": False, "0": False}


def _to_bool(value) -> bool:
    if isinstance(value, QueryText) and value.strip().lower() in _BOOLEAN_TEXT:
        return _BOOLEAN_TEXT[value.strip().lower()]
    if not isinstance(value, bool):
        raise _problem("måste vara true eller false.")
    return value


def _to_list(value) -> list:
    if not isinstance(value, list):
        raise _problem("måste vara en lista.")
    return value


def _to_choice(choices: type[enum.Enum]) -> Any:
    def convert(value):
        try:
            return choices(_text(value))
        except ValueError:
            allowed = ", ".join(member.value for member in choices)
            raise _problem(f"måste vara något av: {allowed}.") from None

    return _checked(convert)


def _max_per_page() -> int:
    return current_app.config["API_MAX_PER_PAGE"]


# --- the field types of requests -------------------------------------------------------------------

#: an id or a page number: larger values overflow the database's integers
Id = Annotated[int, Field(ge=1, le=INT_MAX), _to_int(lambda: INT_MAX)]
#: the page size; its maximum is the app's API_MAX_PER_PAGE (put into the description when it is served)
PerPage = Annotated[int, Field(ge=1), _to_int(_max_per_page)]
#: a calendar year, as the meeting lists filter on it
Year = Annotated[int, Field(ge=1, le=9998), _to_int(lambda: 9998)]
IsoDate = Annotated[date, _checked(_to_date)]
Flag = Annotated[bool, _checked(_to_bool)]
#: a JSON object, checked further by the operation that takes it
JsonObject = Annotated[dict, _checked(_to_object)]


def Number(maximum: int) -> Any:  # noqa: N802 (a type)
    """A whole number from 1 to ``maximum`` (e.g. a place in a list)."""
    return Annotated[int, Field(ge=1, le=maximum), _to_int(lambda: maximum)]


def ListOf(item: Any, max_items: int | None = None) -> Any:  # noqa: N802 (a type)
    """A JSON array, described as one of ``item``; its members are checked by the operation, which knows
    what they must be (and says so in Swedish)."""
    extra = {"maxItems": max_items} if max_items is not None else {}
    return Annotated[SkipValidation[list[item]], _checked(_to_list), Field(json_schema_extra=extra or None)]


def ObjectOf(model: type[BaseModel]) -> Any:  # noqa: N802 (a type)
    """A JSON object, described as ``model``; its fields are checked by the operation (and the view), which
    know what they must be."""
    return Annotated[SkipValidation[model], _checked(_to_object)]


#: the file of a multipart form, described as binary (checked by Form)
UploadedFile = Annotated[Any, WithJsonSchema({"type": "string", "contentMediaType": "application/octet-stream"})]


def Text(max_length: int | None = 200) -> Any:  # noqa: N802 (a type)
    """Text without control characters; ``None`` leaves the length to the operation, which knows the column."""
    if max_length is None:
        return Annotated[str, _to_text(None)]
    return Annotated[str, Field(max_length=max_length), _to_text(max_length)]


def Choice(choices: type[enum.Enum]) -> Any:  # noqa: N802 (a type)
    """One of an enum's values."""
    return Annotated[choices, _to_choice(choices)]


def _drop_null_defaults(schema: dict) -> None:
    for prop in schema.get("properties", {}).values():
        if prop.get("default", ...) is None:
            del prop["default"]


class Body(BaseModel):
    """A JSON body: every field optional (the operation says what is missing), unknown fields refused."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_null_defaults)
    #: the word for an unknown name in the error
    unknown_label: ClassVar[str] = "Okänt fält"

    def given(self) -> dict:
        """Return the values given (not null), by name."""
        return {name: value for name, value in self if value is not None}


class Query(Body):
    """A query string: as a body, and an empty value (``?status=``, as a form sends it) is not given."""

    unknown_label: ClassVar[str] = "Okänd parameter"

    @model_validator(mode="before")
    @classmethod
    def _mark_query_text(cls, data):
        if not isinstance(data, dict):
            return data
        return {
            name: QueryText(value) if isinstance(value, str) else value
            for name, value in data.items()
            if not (isinstance(value, str) and not value.strip())
        }


class NoParameters(Query):
    pass  # a query string that names nothing: any parameter is refused


class NoBody(Body):
    pass  # a JSON body that names nothing: none is needed, and one that is sent must be an empty object


def _file_required(schema: dict) -> None:
    _drop_null_defaults(schema)
    schema["required"] = ["file"]


class Form(Query):
    """A multipart form with a file (field ``file``): its other values are text, as a query string's, and an
    empty one is not given; unknown fields are refused."""

    model_config = ConfigDict(json_schema_extra=_file_required)
    unknown_label: ClassVar[str] = "Okänt fält"
    #: the error when no file is sent (or the field is sent as text), and when the form is not multipart (415)
    no_file: ClassVar[str] = "Välj en fil (fältet file)."
    not_multipart: ClassVar[str] = "Skicka filen som multipart/form-data (fältet file)."

    file: UploadedFile = Field(None, title="Fil", validate_default=True)

    @field_validator("file", mode="before")
    @classmethod
    def _a_file(cls, value):
        if not isinstance(value, FileStorage):
            raise _whole(cls.no_file)
        return value


class PageQuery(Query):
    """Which page of a list: the one copy of the page parameters."""

    page: Id = Field(None, title="Sida", description="Sidan, från 1.")
    per_page: PerPage = Field(None, title="Antal per sida")


def input_error(model: type[Body], exc: SchemaError) -> InputError:
    """Translate pydantic's errors into ours: the field's Swedish label and the problem, per field."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "body"
        if error["type"] == "extra_forbidden":
            errors[name] = f"{model.unknown_label} ”{name[:40]}”; tillåtna: {', '.join(model.model_fields)}."
        elif error["type"] == "nf_input":
            errors[name] = f"{model.model_fields[name].title} {error['ctx']['problem']}"
        elif error["type"] == "nf_whole":
            errors[name] = error["ctx"]["problem"]
        else:  # a shape no field type expects (e.g. an object where text belongs)
            errors[name] = f"{model.model_fields[name].title if name in model.model_fields else name} är ogiltigt."
    return InputError(errors)


# --- the decorator and the description ------------------------------------------------------------


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_null_defaults)
    status: int
    message: str = Field(description="Vad som är fel, på svenska.")
    fields: dict[str, str] = Field(None, description="Felet per parameter eller fält, när det gäller ett visst.")


class Error(BaseModel):
    """The error body of every answer that is not a success."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_null_defaults)
    error: ErrorDetail


def _on_request(req, resp, req_validation_error, instance, model_adapter) -> None:
    if req_validation_error is not None:
        models = _VALIDATED[req.endpoint]
        model = next(m for m in models if m is not None and m.__name__ == req_validation_error.title)
        raise input_error(model, req_validation_error)


class AnswersCheckedUnderTest(FlaskPlugin):
    """spectree's Flask plugin, checking the answers against their models only under test: there a mismatch
    fails the test (500); in production the description must never turn a good answer into a 500."""

    def validate_response(self, resp, resp_model, skip_validation, force_resp_serialize):
        return super().validate_response(
            resp, resp_model, skip_validation or not current_app.testing, force_resp_serialize
        )


api_spec = SpecTree(
    "flask",
    backend=AnswersCheckedUnderTest,
    mode="strict",
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda parent, child: child,
    before=_on_request,
    validation_error_model=Error,
)

#: the request models of each endpoint, to translate spectree's validation error
_VALIDATED: dict[str, tuple[type[Body] | None, ...]] = {}


@dataclass
class _Described:
    summary: str
    description: str | None
    errors: tuple[str, ...]
    is_public: bool
    headers: dict[str, dict] = field(default_factory=dict)
    #: the answers that are files, not JSON: status → (media types, description)
    files: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    body_optional: bool = False
    #: the values a path parameter may take, by name
    path_choices: dict[str, list[str]] = field(default_factory=dict)


#: what the document says of each endpoint besides its schemas, by operationId
_DESCRIBED: dict[str, _Described] = {}


def described(
    *,
    operation_id: str,
    tag: str,
    summary: str,
    responses: dict[int, tuple[type[BaseModel], str]],
    query: type[Query] | None = None,
    body: type[Body] | None = None,
    body_optional: bool = False,
    form: type[Form] | None = None,
    description: str | None = None,
    errors: tuple[str, ...] = (),
    headers: dict[int, dict] | None = None,
    path_parameters: dict[str, str] | None = None,
    path_choices: dict[str, Iterable[str]] | None = None,
    is_public: bool = False,
):
    """Declare an endpoint's request and answers once: they are validated and described from here.

    ``responses`` maps a status to (model, description), or to (media types, description) for a file
    (no media types: no content);
    ``body`` is a JSON body (``body_optional``: one need not be sent), ``form`` a multipart form with a file;
    ``errors`` names the shared error responses (e.g. "NotFound"), ``headers`` the headers of an answer;
    ``path_choices`` the values a path parameter may take (the view refuses others with 404);
    ``is_public`` says it answers without logging in (app.api.PUBLIC_ENDPOINTS lets it).
    The view reads the values with ``query_values()``, ``body_values()`` (or ``body_sent()``) and
    ``form_values()``.
    """
    files = {str(status): answer for status, answer in responses.items() if isinstance(answer[0], tuple)}

    def decorate(view):
        validated = api_spec.validate(
            query=query,
            json=body,
            form=form,
            resp=Response(
                *(f"HTTP_{status}" for status in files),
                **{f"HTTP_{status}": answer for status, answer in responses.items() if str(status) not in files},
            ),
            tags=[tag],
            operation_id=operation_id,
            path_parameter_descriptions=path_parameters,
            validation_error_status=400,
        )(view)
        _DESCRIBED[operation_id] = _Described(
            summary,
            description,
            errors,
            is_public,
            {str(status): header for status, header in (headers or {}).items()},
            files,
            body_optional,
            {name: list(values) for name, values in (path_choices or {}).items()},
        )

        # spectree reads a response back to validate it: a file is sent as it is (streamed, ranges)
        requested = (query, body, form)
        run = view if len(files) == len(responses) and requested == (None, None, None) else validated

        @functools.wraps(validated)
        def checked(*args, **kwargs):
            if query is not None:
                refuse_repeated_query_names()
            if body is not None and (request.get_data() or not body_optional):
                read_json_body()  # 415, not JSON, not an object, too deep, unstorable text: before the fields
            if form is not None:
                _check_form(form)
            return run(*args, **kwargs)

        _VALIDATED[f"api.{view.__name__}"] = requested
        return checked

    return decorate


def _check_form(form: type[Form]) -> None:
    """Refuse what is not a multipart form (415), and a field sent more than once."""
    if request.mimetype != "multipart/form-data":
        raise InputError(form.not_multipart, status=415)
    repeated = {
        name: f"{name[:40]} får bara anges en gång."
        for name, values in [*request.form.lists(), *request.files.lists()]
        if len(values) > 1
    }
    if repeated:
        raise InputError(repeated)


def query_values() -> dict:
    """Return the validated query string's given values, by name."""
    return request.context.query.given()


def body_values() -> dict:
    """Return the validated JSON body's given values, by name."""
    return request.context.json.given()


def body_sent() -> dict:
    """Return the fields the JSON body names, null included (a null clears a field on PATCH), by name."""
    return _sent(request.context.json)


def form_values() -> dict:
    """Return the validated form's given values (the file too), by name."""
    return request.context.form.given()


def _sent(values: Body) -> dict:
    return {name: getattr(values, name) for name in type(values).model_fields if name in values.model_fields_set}


def sent_body(model: type[Body]) -> dict:
    """Validate a JSON body that may be left out (a DELETE's, which spectree does not read) by ``model``;
    return its given values ({} when none is sent)."""
    if not request.get_data():
        return {}
    try:
        return model.model_validate(read_json_body()).given()
    except SchemaError as exc:
        raise input_error(model, exc) from None


#: app/idempotency.py: accepted on every change
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Valfri nyckel (1–200 synliga ASCII-tecken, t.ex. ett UUID). En begäran som skickas om med samma "
    "nyckel utförs inte igen: svaret från första gången skickas (med `Idempotent-Replayed: true`). Samma nyckel "
    "med en annan begäran ger 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"},
}


def generated_openapi(error_responses: dict[str, tuple[str, str]]) -> tuple[dict, dict]:
    """Return the paths and component schemas generated from the described endpoints.

    ``error_responses`` maps the shared error responses' names to (status, description).
    """
    document = copy.deepcopy(api_spec.spec)
    for item in document["paths"].values():
        for method, operation in item.items():
            info = _DESCRIBED[operation["operationId"]]
            if method in ("post", "put", "patch", "delete") and not info.is_public:
                operation.setdefault("parameters", []).append(_IDEMPOTENCY_KEY)
            operation["summary"] = info.summary
            if info.description:
                operation["description"] = info.description
            else:
                operation.pop("description", None)
            responses = operation["responses"]
            responses.pop("400", None)  # only where the endpoint names BadRequest
            for status, (media_types, text) in info.files.items():
                responses[status] = {"description": text}
                if media_types:  # none: an empty answer (204)
                    responses[status]["content"] = {
                        media_type: {"schema": {"type": "string", "contentMediaType": media_type}}
                        for media_type in media_types
                    }
            for status, headers in info.headers.items():
                responses[status]["headers"] = headers
            if info.is_public:
                operation["security"] = []
            responses["401"] = {"$ref": "#/components/responses/Unauthorized"}  # a public one: a bad API key
            for name in info.errors:
                responses[error_responses[name][0]] = {"$ref": f"#/components/responses/{name}"}
            for param in operation.get("parameters", []):
                if not param.get("description"):
                    param.pop("description", None)
                if param["in"] == "path" and param["schema"].get("type") == "integer":
                    param["schema"] = {"type": "integer", "minimum": 1, "maximum": INT_MAX}
                elif param["in"] == "path" and param["name"] in info.path_choices:
                    param["schema"] = {"type": "string", "enum": info.path_choices[param["name"]]}
                if param["name"] == "per_page":
                    param["schema"] = {
                        **param["schema"],
                        "maximum": _max_per_page(),
                        "default": current_app.config["ITEMS_PER_PAGE"],
                    }
                elif param["name"] == "page":
                    param["schema"] = {**param["schema"], "default": 1}
            if "requestBody" in operation:
                operation["requestBody"]["required"] = not info.body_optional
    schemas = document["components"]["schemas"]
    for query, *_bodies in _VALIDATED.values():
        if query is not None:
            schemas.pop(query.__name__, None)  # its fields are the operation's parameters
    for model in (Error, Page):
        schemas[model.__name__] = model.model_json_schema(
            ref_template="#/components/schemas/{model}", mode="serialization"
        )
        schemas.update(schemas[model.__name__].pop("$defs", {}))
    return document["paths"], schemas


# --- shared shapes of answers ------------------------------------------------------------------------

Url = Annotated[str, Field(json_schema_extra={"format": "uri"})]
RowId = Annotated[int, Field(ge=1, le=INT_MAX)]


class Shape(BaseModel):
    """An answer's object: exactly these properties (a client can rely on nothing else being there)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_null_defaults)


class Page(Shape):
    """En sida av en lista."""

    items: list
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)
    total: int = Field(description="Antal träffar av det du får se.")
    pages: int
    next: Url | None
    prev: Url | None


class OpenShape(BaseModel):
    """An answer's object that may carry more properties than these (e.g. a stored snapshot)."""

    model_config = ConfigDict(extra="allow", json_schema_extra=_drop_null_defaults)
