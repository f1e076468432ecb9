"""The project home: where var/, .env, supervisord.conf and sql/ are found."""
import uuid
from pathlib import Path

import pytest

from zapfleet.config import Config
from zapfleet.fleet.programs import WorkerProgram, render_program


def test_the_home_comes_from_zapfleet_home(tmp_path):
    config = Config.from_env({"ZAPFLEET_HOME": str(tmp_path)})
    assert config.home == tmp_path.resolve()
    assert config.var_dir == tmp_path.resolve() / "var"
    assert config.sql_dir == tmp_path.resolve() / "sql"
    assert config.supervisord_conf == tmp_path.resolve() / "supervisord.conf"


def test_a_relative_var_dir_is_in_the_home_and_an_absolute_one_stays(tmp_path):
    home = {"ZAPFLEET_HOME": str(tmp_path)}
    relative = Config.from_env({**home, "ZAPFLEET_VAR_DIR": "data"})
    assert relative.var_dir == tmp_path.resolve() / "data"
    assert Config.from_env({**home, "ZAPFLEET_VAR_DIR": "/srv/zf"}).var_dir == Path("/srv/zf")


def test_without_zapfleet_home_the_home_is_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Config.from_env({}).home == tmp_path.resolve()
    assert Config().var_dir == tmp_path.resolve() / "var"


def test_worker_programs_run_in_the_home(tmp_path):
    config = Config.from_env({"ZAPFLEET_HOME": str(tmp_path)})
    program = WorkerProgram("w1", str(uuid.uuid4()), 5001, "sandbox", token="t",
                            var_dir=config.var_dir, control_url=config.control_url,
                            directory=config.home)
    assert f"directory = {tmp_path.resolve()}\n" in render_program(program)


def test_media_limits_are_read_per_kind_in_megabytes():
    config = Config.from_env({"MEDIA_LIMIT_IMAGE_MB": "8", "MEDIA_LIMIT_DOCUMENT_MB": ""})
    assert config.media_limits == {"image": 8 * 1024 * 1024}
    with pytest.raises(ValueError, match="MEDIA_LIMIT_VIDEO_MB must be"):
        Config.from_env({"MEDIA_LIMIT_VIDEO_MB": "lots"})
