"""Dynamic gRPC client for lnob services (python3-grpcio + python3-protobuf from Debian).

Messages are built from the descriptor sets the build produces (build/lnob_api.pb and
build/grpc_infra.pb), so no generated Python code is needed.
"""
import os

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Client:
    def __init__(self, target, descriptor_sets=None, token=None):
        build = os.environ.get("LNOB_BUILD_DIR", os.path.join(ROOT, "build"))
        sets = descriptor_sets or [os.path.join(build, "lnob_api.pb"),
                                   os.path.join(build, "grpc_infra.pb")]
        self.pool = descriptor_pool.DescriptorPool()
        seen = set()
        for path in sets:
            fds = descriptor_pb2.FileDescriptorSet()
            with open(path, "rb") as f:
                fds.ParseFromString(f.read())
            for fd in fds.file:
                if fd.name not in seen:
                    seen.add(fd.name)
                    self.pool.Add(fd)
        self.factory = message_factory.MessageFactory(self.pool)
        self.channel = grpc.insecure_channel(target)
        self.token = token

    def message_class(self, full_name):
        return self.factory.GetPrototype(self.pool.FindMessageTypeByName(full_name))

    def _method(self, path):
        service, method = path.split("/")
        m = self.pool.FindServiceByName(service).FindMethodByName(method)
        return m, self.message_class(m.input_type.full_name), self.message_class(m.output_type.full_name)

    def metadata(self, extra=None):
        md = []
        if self.token:
            md.append(("authorization", "Bearer " + self.token))
        md.extend(extra or [])
        return md

    def call(self, path, request=None, timeout=10, metadata=None, with_call=False):
        """Unary call; request is a dict in proto3 JSON form. Returns the response message."""
        m, req_cls, resp_cls = self._method(path)
        req = json_format.ParseDict(request or {}, req_cls())
        stub = self.channel.unary_unary("/" + path, request_serializer=req_cls.SerializeToString,
                                        response_deserializer=resp_cls.FromString)
        if with_call:
            return stub.with_call(req, timeout=timeout, metadata=self.metadata(metadata))
        return stub(req, timeout=timeout, metadata=self.metadata(metadata))

    def to_dict(self, msg):
        return json_format.MessageToDict(msg)

    def health(self, service="", timeout=3):
        req_cls = self.message_class("grpc.health.v1.HealthCheckRequest")
        resp_cls = self.message_class("grpc.health.v1.HealthCheckResponse")
        stub = self.channel.unary_unary("/grpc.health.v1.Health/Check",
                                        request_serializer=req_cls.SerializeToString,
                                        response_deserializer=resp_cls.FromString)
        resp = stub(req_cls(service=service), timeout=timeout)
        return resp_cls.DESCRIPTOR.fields_by_name["status"].enum_type.values_by_number[resp.status].name

    def reflection_services(self, timeout=5):
        req_cls = self.message_class("grpc.reflection.v1alpha.ServerReflectionRequest")
        resp_cls = self.message_class("grpc.reflection.v1alpha.ServerReflectionResponse")
        stub = self.channel.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                          request_serializer=req_cls.SerializeToString,
                                          response_deserializer=resp_cls.FromString)
        responses = stub(iter([req_cls(list_services="")]), timeout=timeout)
        names = []
        for r in responses:
            names.extend(s.name for s in r.list_services_response.service)
        return sorted(names)
