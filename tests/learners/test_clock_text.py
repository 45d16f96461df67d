"""One helper writes a time of day as "HH:MM", from minutes or a datetime.time, inverse of clock_minutes."""
import datetime as dt

from nortime.services.rota_days import clock_minutes, clock_text


def test_clock_text_from_minutes_and_times():
    assert clock_text(0) == "00:00" and clock_text(17 * 60 + 5) == "17:05" and clock_text(23 * 60 + 59) == "23:59"
    assert clock_text(dt.time(7, 30)) == "07:30" and clock_text(dt.time(18)) == "18:00"
    assert all(clock_minutes(clock_text(minutes)) == minutes for minutes in range(0, 24 * 60, 7))
