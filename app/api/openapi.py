"""The OpenAPI description of the API."""

from flask import jsonify

from app.api import bp


@bp.route("/openapi.json")
def openapi():
    return jsonify({"openapi": "3.1.0", "info": {"title": "Nämndflöde API", "version": "1"}, "paths": {}})
