#!/usr/bin/env python3
"""Runs a GitHub Actions workflow's `run:` steps locally, in order, as the runner would: each
step with `bash -e` in the repository, $GITHUB_PATH read back into PATH after each step, a
step's own `env:` applied. A `uses:` step is not run: it is listed, with its `with:` inputs
(tests/check-ci.sh checks what they name). Stops at the first step that fails.

    tests/run-workflow.py WORKFLOW.yml JOB   prints one line per step; exit 0 when all passed
"""
import json
import os
import subprocess
import sys
import tempfile

import yaml


def main(path, job):
    with open(path, encoding="utf-8") as f:
        steps = yaml.safe_load(f)["jobs"][job]["steps"]
    env = dict(os.environ)
    with tempfile.NamedTemporaryFile("w+", delete=False) as gp:
        env["GITHUB_PATH"] = gp.name
        env["GITHUB_WORKSPACE"] = os.getcwd()
        for i, step in enumerate(steps, 1):
            name = step.get("name", step.get("uses", step.get("run", "")[:40]))
            if "uses" in step:
                print(f"step {i}: {name}: not run here (uses {step['uses']}) "
                      f"with {json.dumps(step.get('with', {}), sort_keys=True)}")
                continue
            rc = subprocess.run(["bash", "-e", "-c", step["run"]], env={**env, **step.get("env", {})}).returncode
            print(f"step {i}: {name}: exit {rc}", flush=True)
            if rc != 0:
                return 1
            with open(gp.name, encoding="utf-8") as added:
                for line in added.read().split():
                    if line not in env["PATH"].split(os.pathsep):
                        env["PATH"] = line + os.pathsep + env["PATH"]
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
