"""Common library of the Spotifiuby functions.

Modules, one concern each: ``config`` (environment), ``errors`` (the JSON error hierarchy), ``db``
(engine, sessions, portable SQL helpers), ``models`` (the shared schema), ``schemas`` (request
validation and pagination), ``api`` (route registry and OpenAPI), ``tokens`` and ``auth`` (JWTs and
the caller), ``observability`` (logs, metrics, trace context), ``app`` (the function app factory).
Import what you need: nothing here is imported eagerly, so a function pays only for what it uses.
"""
