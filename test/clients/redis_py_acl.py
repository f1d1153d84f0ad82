"""redis-py logs in as an ACL user and tries allowed and forbidden commands (test/integration/redis-py-acl.test.ts).

Usage: /usr/bin/python3 redis_py_acl.py PORT USER PASSWORD
Prints one JSON object: each step's result, or the exception's class and message. The test runs it
against the engine and against redis-server and compares the two outputs.
"""
import json
import sys

import redis


def attempt(fn):
    try:
        return {"ok": fn()}
    except redis.RedisError as e:
        return {"error": type(e).__name__, "message": str(e)}


def main():
    port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    out = {"redis_py": redis.__version__}
    r = redis.Redis(host="127.0.0.1", port=port, username=user, password=password, decode_responses=True)
    out["whoami"] = attempt(r.acl_whoami)
    out["set_allowed"] = attempt(lambda: r.set("app:1", "v1"))
    out["get_allowed"] = attempt(lambda: r.get("app:1"))
    out["incr_allowed"] = attempt(lambda: r.incr("app:n"))
    out["set_other_key"] = attempt(lambda: r.set("other", "v"))
    out["get_other_key"] = attempt(lambda: r.get("other"))
    out["flushall"] = attempt(r.flushall)
    out["config_get"] = attempt(lambda: r.config_get("maxmemory"))
    out["publish_allowed"] = attempt(lambda: r.publish("app:news", "hi"))
    out["publish_other"] = attempt(lambda: r.publish("admin:news", "hi"))

    def tx(*keys):
        p = r.pipeline(transaction=True)
        for k in keys:
            p.set(k, "x")
        return p.execute()

    out["multi_allowed"] = attempt(lambda: tx("app:a", "app:b"))
    out["multi_forbidden"] = attempt(lambda: tx("app:c", "other"))
    out["after_multi"] = attempt(lambda: r.mget("app:a", "app:b", "app:c"))
    out["eval_forbidden"] = attempt(lambda: r.eval("return redis.call('set', KEYS[1], 'x')", 1, "other"))
    out["eval_allowed"] = attempt(lambda: r.eval("return redis.call('set', KEYS[1], 'x')", 1, "app:e"))

    # A second log-in on the same connection (AUTH user password), then a wrong password.
    out["auth_again"] = attempt(lambda: r.auth(password, username=user))
    bad = redis.Redis(host="127.0.0.1", port=port, username=user, password=password + "-wrong", decode_responses=True)
    out["wrong_password"] = attempt(bad.ping)
    nobody = redis.Redis(host="127.0.0.1", port=port, username="nobody", password="x", decode_responses=True)
    out["unknown_user"] = attempt(nobody.ping)
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
