from __future__ import annotations

import json

import pytest

from bench import floor

BODY = {"name": "Jane Smith", "phone": "+15551234567", "scheduled_date": "2026-12-02"}


def test_the_product_does_not_serve_the_floor(client, db):
    response = client.post("/bench/floor", json.dumps(BODY), content_type="application/json")

    assert response.status_code == 404


@pytest.mark.urls("bench.urls")
def test_the_bench_serves_the_floor_with_one_insert(client, db, django_assert_num_queries):
    floor.create_table()

    with django_assert_num_queries(1):
        response = client.post("/bench/floor", json.dumps(BODY), content_type="application/json")

    assert response.status_code == 201
    assert floor.count_rows() == 1


@pytest.mark.urls("bench.urls")
def test_the_bench_serves_the_project_beside_the_floor(client, db):
    assert client.get("/healthz").status_code == 200
