# MPS ICT Tracker image: gunicorn web, Celery worker and beat all run from it.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static_src ./static_src
RUN npm run --silent build:css

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=assets /app/node_modules/govuk-frontend/dist ./node_modules/govuk-frontend/dist
COPY --from=assets /app/node_modules/axe-core ./node_modules/axe-core
COPY --from=assets /app/static/dist ./static/dist
# collectstatic needs settings to load; this key exists only for the build step.
RUN SECRET_KEY=build-only-not-a-secret DEBUG=0 python manage.py collectstatic --no-input \
    && useradd --create-home --uid 1000 app && chown -R app /app
USER app
EXPOSE 8000
CMD ["gunicorn", "mps_ict.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
