"""The project home: where var/, .env, supervisord.conf and sql/ are found."""
from pathlib import Path

from zapfleet.config import Config


def test_the_home_comes_from_zapfleet_home(tmp_path):
    config = Config.from_env({"ZAPFLEET_HOME": str(tmp_path)})
    assert config.home == tmp_path.resolve()
    assert config.var_dir == tmp_path.resolve() / "var"
    assert config.sql_dir == tmp_path.resolve() / "sql"
    assert config.supervisord_conf == tmp_path.resolve() / "supervisord.conf"


def test_a_relative_var_dir_is_in_the_home_and_an_absolute_one_stays(tmp_path):
    home = {"ZAPFLEET_HOME": str(tmp_path)}
    assert Config.from_env({**home, "ZAPFLEET_VAR_DIR": "data"}).var_dir == tmp_path.resolve() / "data"
    assert Config.from_env({**home, "ZAPFLEET_VAR_DIR": "/srv/zf"}).var_dir == Path("/srv/zf")


def test_without_zapfleet_home_the_home_is_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Config.from_env({}).home == tmp_path.resolve()
    assert Config().var_dir == tmp_path.resolve() / "var"
