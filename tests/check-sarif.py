#!/usr/bin/env python3
"""Checks SARIF logs against the vendored SARIF 2.1.0 JSON schema (tests/sarif/) and the rules
GitHub code scanning and Microsoft's SARIF validator apply beyond the schema: the tool's version and
informationUri (SARIF2005); each rule's name, full description, help and helpUri (SARIF2012); every
result's ruleIndex pointing at its rule; locations with a relative artifact URI and a start line
(GH1001, GH1003, GH1005); message text present (GH1007); array sizes within GitHub's limits (GH1004).

    tests/check-sarif.py FILE...     exit 0 when every file passes, else 1 with the problems
"""
import json
import os
import re
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "sarif", "sarif-schema-2.1.0.json")  # draft-04, Errata 01


def problems_beyond_schema(log):
    """Yields what the schema cannot say."""
    for r, run in enumerate(log["runs"]):
        driver = run["tool"]["driver"]
        for key in ("version", "informationUri"):
            if not driver.get(key):
                yield f"runs[{r}].tool.driver has no {key} (SARIF2005)"
        rules = driver.get("rules", [])
        if len(rules) > 25000 or len(run.get("results", [])) > 25000:
            yield f"runs[{r}]: more rules or results than GitHub accepts (GH1004)"
        for i, rule in enumerate(rules):
            where = f"runs[{r}].tool.driver.rules[{i}] ({rule.get('id')})"
            if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", rule.get("name", "")):
                yield f"{where}: no Pascal-case name (SARIF2012)"
            for key in ("shortDescription", "fullDescription", "help"):
                if not rule.get(key, {}).get("text"):
                    yield f"{where}: no {key}.text (SARIF2012)"
            if not rule.get("helpUri"):
                yield f"{where}: no helpUri (SARIF2012)"
        for k, res in enumerate(run.get("results", [])):
            where = f"runs[{r}].results[{k}]"
            idx = res.get("ruleIndex")
            if idx is None or idx >= len(rules) or rules[idx]["id"] != res.get("ruleId"):
                yield f"{where}: ruleIndex does not point at rule {res.get('ruleId')}"
            if not res.get("message", {}).get("text"):
                yield f"{where}: no message text (GH1007)"
            for loc in res.get("locations", []):
                phys = loc.get("physicalLocation", {})
                uri = phys.get("artifactLocation", {}).get("uri", "")
                if not uri or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", uri):
                    yield f"{where}: the artifact URI {uri!r} is not relative (GH1001, GH1005)"
                region = phys.get("region")
                if region is not None and "startLine" not in region:
                    yield f"{where}: a region without startLine (GH1003)"


def main(paths):
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    bad = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            log = json.load(f)
        found = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
        if not found:
            found = list(problems_beyond_schema(log))
        for p in found:
            print(f"{path}: {p}")
        bad += bool(found)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
