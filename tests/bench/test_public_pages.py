"""bench/public_pages.py: reading wrk's summary and the server shapes it is given."""

import argparse

import pytest

from bench.public_pages import ServerShape, parse_wrk


def test_wrk_summary_is_read_from_its_json_line():
    output = (
        "Running 30s test @ http://127.0.0.1:8000\n  2 threads and 32 connections\n"
        'WRK_JSON {"requests": 30000, "duration_us": 30000000, "connect": 0, "read": 0, "write": 0, '
        '"status": 2, "timeout": 0, "p50": 12000, "p90": 20000, "p99": 41000, "max": 90000}\n'
    )
    summary = parse_wrk(output)
    assert summary["requests"] == 30000 and summary["status"] == 2 and summary["p99"] == 41000


def test_wrk_output_without_a_summary_is_an_error_not_a_zero():
    with pytest.raises(RuntimeError, match="no summary"):
        parse_wrk("unable to connect to 127.0.0.1:8000 Connection refused\n")


def test_server_shapes_parse_into_gunicorn_arguments():
    assert ServerShape.parse("sync:2").arguments() == ["--worker-class", "sync", "--workers", "2"]
    assert ServerShape.parse("gthread:2x4").arguments() == [
        "--worker-class",
        "gthread",
        "--workers",
        "2",
        "--threads",
        "4",
    ]
    with pytest.raises(argparse.ArgumentTypeError):
        ServerShape.parse("eventlet:2")
