# syntax=docker/dockerfile:1
# One image per function, from this one Dockerfile:
#   docker build --build-arg FUNCTION=users -t spotifiuby-users .
# FUNCTION is a folder under functions/ (users, music, feedback, payments, status, gateway). Every
# image holds the whole source (shared library, all functions, migrations), so the users image also
# runs the migration Job (`alembic upgrade head`).

ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# --- builder: dependencies into a venv, everything pre-compiled to .pyc -----------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv
ENV PATH=/opt/venv/bin:$PATH

RUN python -m venv /opt/venv

WORKDIR /app
COPY requirements.txt ./
COPY shared/ ./shared/
RUN pip install --no-cache-dir -r requirements.txt ./shared

COPY functions/ ./functions/
COPY migrations/ ./migrations/
COPY alembic.ini ./

# .pyc for the venv and the source, checked by hash only when asked (unchecked-hash): a cold start
# imports without compiling, and copying between stages cannot invalidate them through mtimes.
RUN python -m compileall -q -j 0 --invalidation-mode unchecked-hash /opt/venv /app

# --- final: the venv and the source only; no compiler, no pip cache, not root ------------------------
FROM ${PYTHON_IMAGE}

ARG FUNCTION=gateway
ARG APP_UID=10001

RUN groupadd --system --gid "${APP_UID}" app \
    && useradd --system --uid "${APP_UID}" --gid app --no-create-home --home-dir /app \
       --shell /usr/sbin/nologin app

WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app/shared ./shared
COPY --from=builder /app/functions ./functions
COPY --from=builder /app/migrations ./migrations
COPY --from=builder /app/alembic.ini ./alembic.ini
RUN test -f "functions/${FUNCTION}/main.py" \
    && mkdir -p /app/var \
    && chown "${APP_UID}:${APP_UID}" /app/var

ENV FUNCTION=${FUNCTION} \
    PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/app/var \
    PORT=8080 \
    THREADS=4

USER 10001:10001
EXPOSE 8080

# exec: functions-framework (gunicorn) is PID 1 and gets SIGTERM from Knative.
CMD ["sh", "-c", "exec functions-framework --target \"$FUNCTION\" --source \"functions/$FUNCTION/main.py\" --port \"${PORT:-8080}\""]
