"""YAML that remembers where each key stands, so errors can name the line."""
import re
from dataclasses import dataclass

import yaml

from portal import safe_files


class MarkedDict(dict):
    """A mapping from YAML with the line of each key (1-based) and of itself."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class MarkedList(list):
    line: int = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    pass


# YAML 1.1 reads yes/no/on/off as booleans, so the step key "no" would become False.
# Only true/false are booleans here (as in YAML 1.2).
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    out = MarkedDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"kunci {key!r} ditulis dua kali", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader, node):
    out = MarkedList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a file, with where it stands."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class YamlError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def load_text(text: str, file: str):
    """Parse YAML text; a syntax error becomes a YamlError naming file and line."""
    if problem := safe_files.yaml_problem(text):  # depth, aliases, size: before the recursive composer
        raise YamlError(Problem(file, 0, "", problem))
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlError(Problem(file, line, "", f"YAML tidak valid: {error.problem or error}")) from None
    except yaml.YAMLError as error:
        raise YamlError(Problem(file, 0, "", f"YAML tidak valid: {error}")) from None
