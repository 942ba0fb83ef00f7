FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 SINKRON_ENV=production
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN SECRET_KEY=build FIELD_ENCRYPTION_KEY=ZmFrZS1rZXktZm9yLWJ1aWxkLW9ubHktMDAwMDAwMDA= FIELD_HMAC_KEY=build \
    REGISTRY_TOKEN=build ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput -v0
# The documents volume (docker-compose.yml) takes this folder's owner: the app, not root.
RUN mkdir -p /data/documents && chown nobody /data/documents && chmod 700 /data/documents
USER nobody
EXPOSE 8000
CMD ["gunicorn", "helpdesk.wsgi", "-c", "python:helpdesk.gunicorn_conf", "--bind", "0.0.0.0:8000", "--workers", "4"]
