"""Patch application: JSON merge patch (RFC 7386), a strategic-merge subset, JSON patch (RFC 6902).

Strategic merge is implemented for what built-in clients send to our types: maps merge like a
merge patch, lists of objects with a known merge key merge by that key, `$patch: replace|delete`
and `$deleteFromPrimitiveList/` are honoured, and `$setElementOrder/` / `$retainKeys` are accepted
(order and retention are not enforced). Inputs are never mutated; results are fresh structures.
"""

import copy

from status import ApiError

# Merge keys of list fields in the built-in types we serve (from the Go struct tags).
STRATEGIC_MERGE_KEYS = {"ownerReferences": "uid", "containers": "name", "initContainers": "name",
                        "env": "name", "ports": "containerPort", "volumes": "name",
                        "volumeMounts": "mountPath", "conditions": "type", "imagePullSecrets": "name"}


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$setElementOrder/") or key in ("$retainKeys", "$patch"):
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [v for v in result.get(field) or [] if v not in value]
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and key in STRATEGIC_MERGE_KEYS:
            result[key] = _merge_list(result.get(key) or [], value, STRATEGIC_MERGE_KEYS[key])
        elif isinstance(value, dict):
            merged = strategic_merge_patch(result.get(key), value)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = copy.deepcopy(value)
    return result


def _merge_list(current, patch, merge_key):
    if any(isinstance(p, dict) and p.get("$patch") == "replace" for p in patch):
        return [copy.deepcopy(p) for p in patch if not (isinstance(p, dict) and "$patch" in p)]
    result = copy.deepcopy(current)
    for item in patch:
        if not isinstance(item, dict) or merge_key not in item:
            result.append(copy.deepcopy(item))
            continue
        index = next((i for i, c in enumerate(result)
                      if isinstance(c, dict) and c.get(merge_key) == item[merge_key]), None)
        if item.get("$patch") == "delete":
            if index is not None:
                del result[index]
        elif index is None:
            result.append(copy.deepcopy(item))
        else:
            result[index] = strategic_merge_patch(result[index], item)
    return result


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise ApiError(422, f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _resolve(doc, parts):
    for part in parts:
        if isinstance(doc, list):
            doc = doc[int(part)]
        else:
            doc = doc[part]
    return doc


def _add(doc, parts, value):
    parent = _resolve(doc, parts[:-1])
    last = parts[-1]
    if isinstance(parent, list):
        parent.insert(len(parent) if last == "-" else int(last), value)
    else:
        parent[last] = value


def _remove(doc, parts):
    parent = _resolve(doc, parts[:-1])
    if isinstance(parent, list):
        return parent.pop(int(parts[-1]))
    return parent.pop(parts[-1])


def json_patch(target, operations):
    if not isinstance(operations, list):
        raise ApiError(400, "json patch must be an array of operations")
    doc = copy.deepcopy(target)
    for op in operations:
        try:
            kind, parts = op["op"], _pointer(op["path"])
            if kind == "test":
                if _resolve(doc, parts) != op["value"]:
                    raise ApiError(422, f"the test operation on {op['path']} failed")
            elif kind == "remove":
                _remove(doc, parts)
            elif kind == "add":
                _add(doc, parts, copy.deepcopy(op["value"]))
            elif kind == "replace":
                _remove(doc, parts)
                _add(doc, parts, copy.deepcopy(op["value"]))
            elif kind in ("move", "copy"):
                source = _pointer(op["from"])
                value = _remove(doc, source) if kind == "move" else copy.deepcopy(_resolve(doc, source))
                _add(doc, parts, value)
            else:
                raise ApiError(400, f"unexpected json patch operation {kind!r}")
        except (KeyError, IndexError, ValueError, TypeError) as e:
            raise ApiError(422, f"the server rejected our request due to an error in our request: "
                                f"json patch {op!r} cannot be applied ({type(e).__name__})")
    return doc
