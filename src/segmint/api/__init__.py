"""The REST API (FastAPI): a thin face over segmint.services; OpenAPI is the contract."""

from segmint.api.app import create_app

__all__ = ["create_app"]
