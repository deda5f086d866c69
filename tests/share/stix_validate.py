#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Validates every object of STIX 2.1 bundles against the OASIS STIX 2.1 JSON schemas.

Usage: stix_validate.py SCHEMAS_DIR BUNDLE.json...
Each object is checked against the schema of its type (sdos/, sros/, observables/,
common/marking-definition.json) and the bundle against common/bundle.json. Prints one line per
failure and exits 1 when there is one; an object of a type with no schema is a failure too.
"""
import json
import os
import sys
import warnings

import jsonschema

warnings.simplefilter("ignore", DeprecationWarning)

UNLISTED = {"incident", "grouping", "note", "opinion", "location"}


def load_schemas(root):
    store, by_type = {}, {}
    for folder in ("common", "sdos", "sros", "observables"):
        for name in sorted(os.listdir(os.path.join(root, folder))):
            if not name.endswith(".json"):
                continue
            path = os.path.join(root, folder, name)
            with open(path, encoding="utf-8") as f:
                schema = json.load(f)
            store[schema["$id"]] = schema
            store["file://" + os.path.abspath(path)] = schema
            if folder != "common" or name in ("marking-definition.json", "bundle.json"):
                by_type[name[:-5]] = schema
    return store, by_type


def validator(schema, store):
    cls = jsonschema.validators.validator_for(schema)
    try:  # jsonschema 4.18 and later resolve references through `referencing`
        import referencing
        import referencing.jsonschema

        registry = referencing.Registry().with_resources(
            (uri, referencing.Resource.from_contents(s, referencing.jsonschema.DRAFT202012))
            for uri, s in store.items())
        return cls(schema, registry=registry, format_checker=jsonschema.FormatChecker())
    except ImportError:  # Debian 12's jsonschema 4.10
        resolver = jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
        return cls(schema, resolver=resolver, format_checker=jsonschema.FormatChecker())


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    store, by_type = load_schemas(sys.argv[1])
    checkers = {t: validator(s, store) for t, s in by_type.items()}
    failures = objects = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            bundle = json.load(f)
        # The OASIS bundle schema lists the object types it knows and checks any other as a
        # custom object, which incident, grouping, note, opinion and location (SDOs of the
        # specification it leaves out) can never be: the envelope is checked with those left
        # out, and every object against the schema of its own type below.
        envelope = dict(bundle)
        envelope["objects"] = [o for o in bundle.get("objects", []) if o.get("type") not in UNLISTED]
        for err in checkers["bundle"].iter_errors(envelope):
            print(f"{path}: bundle: {err.message}")
            failures += 1
        for obj in bundle.get("objects", []):
            objects += 1
            check = checkers.get(obj.get("type"))
            if check is None:
                print(f"{path}: {obj.get('id')}: no schema for type {obj.get('type')}")
                failures += 1
                continue
            for err in check.iter_errors(obj):
                print(f"{path}: {obj.get('id')}: {err.message}")
                failures += 1
    print(f"{objects} objects, {failures} failures")
    return 1 if failures or objects == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
