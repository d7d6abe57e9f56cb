#!/usr/bin/python3
"""Call any lnob gRPC method with a JSON request and print the JSON response.

usage: grpc_call.py HOST:PORT package.Service/Method '{"json": "request"}' [--token-file F]
"""
import json
import sys

import grpc

import lnob_grpc


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    token = None
    if "--token-file" in argv:
        i = argv.index("--token-file")
        with open(argv[i + 1]) as f:
            token = f.read().strip()
        del argv[i:i + 2]
    client = lnob_grpc.Client(argv[0], token=token)
    request = json.loads(argv[2]) if len(argv) > 2 else {}
    try:
        resp = client.call(argv[1], request)
    except grpc.RpcError as e:
        print(f"{e.code().name}: {e.details()}", file=sys.stderr)
        return 1
    print(json.dumps(client.to_dict(resp), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
