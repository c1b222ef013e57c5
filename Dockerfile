# Steward: one image for every process (web, clock, worker). Untested here: this machine cannot build images.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 steward
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY migrations ./migrations
COPY templates ./templates
COPY app.yml ./
RUN pip install --no-cache-dir .
USER steward
ENV PYTHONUNBUFFERED=1 STEWARD_LOG_FORMAT=json
EXPOSE 8000
# The web process: gunicorn with uvicorn workers running bot.server:asgi_app (what `steward serve` runs;
# docs/DEPLOY.md). compose.yaml overrides the command for the clock and workers.
CMD ["gunicorn", "--worker-class", "uvicorn_worker.UvicornWorker", "--workers", "4", "--bind", "0.0.0.0:8000", \
     "--backlog", "2048", "bot.server:asgi_app()"]
