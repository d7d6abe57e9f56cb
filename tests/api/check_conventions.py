#!/usr/bin/env python3
"""lnob's API conventions beyond buf's rule set (docs/architecture.md, "API conventions"),
checked on the descriptor set the build writes (build/lnob_api.pb):

  LIST_PAGING        List* requests have int32 page_size and string page_token; responses
                     have string next_page_token.
  CREATE_REQUEST_ID  Create*, Record*, Set* and Import* requests (and their stream messages)
                     carry request_id or import_id.
  UPDATE_MASK        Update* requests carry google.protobuf.FieldMask update_mask.
  INSTANT_TYPE       fields named *_time or *_at are google.protobuf.Timestamp.
  DATE_TYPE          fields named date or *_date are google.type.Date.

KNOWN lists what existed before these checks and is still to be fixed, each with its reason;
anything else fails, and so does a KNOWN entry that no longer applies (so the list only
shrinks).
"""
import os
import sys

from google.protobuf import descriptor_pb2

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

F = descriptor_pb2.FieldDescriptorProto

# (rule, "package.Message[.field]" or "package.Service.Method") -> why it is still here.
KNOWN = {
}


def main():
    path = os.environ.get("LNOB_DESCRIPTOR_SET") or os.path.join(
        os.environ.get("LNOB_BUILD_DIR", os.path.join(ROOT, "build")), "lnob_api.pb")
    fds = descriptor_pb2.FileDescriptorSet()
    with open(path, "rb") as f:
        fds.ParseFromString(f.read())
    messages = {}
    lnob_files = []
    for file in fds.file:
        def walk(prefix, msgs):
            for m in msgs:
                full = f"{prefix}.{m.name}"
                messages[full] = m
                walk(full, m.nested_type)
        walk(file.package, file.message_type)
        if file.package.startswith("lnob.") and not file.package.startswith("lnob.common."):
            lnob_files.append(file)

    found = set()

    def field(msg, name):
        return next((f for f in msg.field if f.name == name), None)

    for file in lnob_files:
        for svc in file.service:
            for m in svc.method:
                where = f"{file.package}.{svc.name}.{m.name}"
                req = messages[m.input_type.lstrip(".")]
                resp = messages[m.output_type.lstrip(".")]
                if m.name.startswith("List"):
                    ps, pt, npt = field(req, "page_size"), field(req, "page_token"), field(resp, "next_page_token")
                    if not (ps and ps.type == F.TYPE_INT32 and pt and pt.type == F.TYPE_STRING and npt):
                        found.add(("LIST_PAGING", where))
                if m.name.startswith(("Create", "Record", "Set", "Import")):
                    if not (field(req, "request_id") or field(req, "import_id")):
                        found.add(("CREATE_REQUEST_ID", where))
                if m.name.startswith("Update"):
                    um = field(req, "update_mask")
                    if not (um and um.type_name == ".google.protobuf.FieldMask"):
                        found.add(("UPDATE_MASK", where))
        for full, msg in messages.items():
            if not full.startswith(file.package + "."):
                continue
            for f in msg.field:
                where = f"{full}.{f.name}"
                if f.name.endswith(("_time", "_at")) and f.type_name != ".google.protobuf.Timestamp":
                    found.add(("INSTANT_TYPE", where))
                if (f.name == "date" or f.name.endswith("_date")) and f.type_name != ".google.type.Date":
                    found.add(("DATE_TYPE", where))

    problems = []
    for rule, where in sorted(found - set(KNOWN)):
        problems.append(f"{rule}: {where}")
    for rule, where in sorted(set(KNOWN) - found):
        problems.append(f"{rule}: {where} is listed as known but is fixed: remove it from KNOWN")
    for p in problems:
        print(p)
    print(f"check_conventions: {len(found)} known exceptions, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
