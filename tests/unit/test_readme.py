"""README.md tells a new user the truth: the two commands and the demo users as they are."""

from pathlib import Path

from app.demo.loader import credentials

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    assert "make run" in README and "make test" in README
    assert README.index("make run") < README.index("## Configuration")


def test_readme_lists_every_demo_user_with_password_and_token():
    for c in credentials():
        line = next((text for text in README.splitlines() if f"`{c['email']}`" in text), None)
        assert line is not None, c["email"]
        assert f"`{c['password']}`" in line and f"`{c['token']}`" in line and c["roles"] in line


def test_readme_documents_every_environment_variable_the_config_reads():
    config = (Path(__file__).resolve().parents[2] / "config.py").read_text(encoding="utf-8")
    import re

    names = set(re.findall(r'env(?:iron)?(?:\.get\(|\[)"([A-Z_]+)"', config))
    assert names, "found no variables in config.py"
    for name in names:
        assert f"`{name}`" in README, name
