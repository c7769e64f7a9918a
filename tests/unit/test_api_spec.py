"""spectree checks an answer against its model under test only: a test fails on a mismatch (500), while in
production a good answer is never turned into a 500 by its description."""

from __future__ import annotations

import pytest
from flask import Flask
from pydantic import BaseModel
from spectree import Response, SpecTree

from app.api.spec import AnswersCheckedUnderTest


class Answer(BaseModel):
    count: int


@pytest.mark.parametrize("testing, status", [(True, 500), (False, 200)])
def test_a_mismatching_answer_fails_only_under_test(testing, status):
    app = Flask("spec-test")
    app.testing = testing
    spec = SpecTree("flask", backend=AnswersCheckedUnderTest)

    @app.get("/answer")
    @spec.validate(resp=Response(HTTP_200=Answer))
    def answer():
        return {"count": "many"}

    response = app.test_client().get("/answer")
    assert response.status_code == status
    if not testing:
        assert response.get_json() == {"count": "many"}
