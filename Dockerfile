# The forum in one image: `docker build -t practice-forum .`, then either compose.yaml
# (PostgreSQL and Redis beside it) or alone on its SQLite default:
#   docker run -p 127.0.0.1:8000:8000 -v forum-data:/var/lib/forum practice-forum
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The forum runs as a user of its own, never root; its data lives in one volume.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/forum --create-home forum

WORKDIR /app
# The pinned dependencies first, in a layer of their own: a code change does not reinstall them.
# Every pin carries hashes, so this installs exactly the files the tests ran against.
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --require-hashes -r requirements/lock.txt

COPY pyproject.toml README.md ./
COPY forum forum
COPY templates templates
COPY static static
# Editable, so the forum finds templates/ and static/ beside its package, as in a checkout.
RUN pip install --no-deps -e . && python -m compileall -q forum

USER forum
# The SQLite default (forum.db and forum.secret), mail and uploads go here, relative to it.
WORKDIR /var/lib/forum
VOLUME /var/lib/forum
EXPOSE 8000
# /healthz answers 200 while the database (and Redis, when used) answer. No curl in slim.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["forum", "serve", "--host", "0.0.0.0", "--port", "8000"]
