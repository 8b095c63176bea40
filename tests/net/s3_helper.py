#!/usr/bin/env python3
"""boto3 as the independent S3 client of tests/core/test_object_store.cpp.

Usage: s3_helper.py --endpoint URL COMMAND ARGS...   (credentials from the AWS_* environment)
  setup BUCKET             create an IAM user with full access and BUCKET (the moto server runs
                           with INITIAL_NO_AUTH_ACTION_COUNT so that these first calls need no
                           signature); prints {"access_key_id":..., "secret_access_key":...}
  mb BUCKET                create BUCKET
  put BUCKET KEY FILE      upload FILE as KEY (plain put_object, no TEFT metadata)
  get BUCKET KEY FILE      download KEY into FILE; prints {"size":..., "sha256":..., "metadata":...}
  list BUCKET PREFIX       prints [{"key":..., "size":...}, ...]
  parts BUCKET KEY         prints the number of parts of KEY (0 for a single-part object)
Exit status 0 on success; failures print the botocore error on stderr.
"""
import argparse
import hashlib
import json
import sys

import boto3
from botocore.config import Config


def client(service, endpoint, region="us-east-1"):
    return boto3.client(service, endpoint_url=endpoint, region_name=region,
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("command")
    p.add_argument("args", nargs="*")
    a = p.parse_args()
    if a.command == "setup":
        (bucket,) = a.args
        iam = client("iam", a.endpoint)
        iam.create_user(UserName="teft")
        key = iam.create_access_key(UserName="teft")["AccessKey"]
        iam.put_user_policy(UserName="teft", PolicyName="all", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        s3 = boto3.client("s3", endpoint_url=a.endpoint, region_name="us-east-1",
                          aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                          config=Config(s3={"addressing_style": "path"}))
        s3.create_bucket(Bucket=bucket)
        print(json.dumps({"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}))
        return
    s3 = client("s3", a.endpoint)
    if a.command == "mb":
        s3.create_bucket(Bucket=a.args[0])
    elif a.command == "put":
        bucket, key, path = a.args
        with open(path, "rb") as f:
            s3.put_object(Bucket=bucket, Key=key, Body=f.read())
    elif a.command == "get":
        bucket, key, path = a.args
        r = s3.get_object(Bucket=bucket, Key=key)
        data = r["Body"].read()
        with open(path, "wb") as f:
            f.write(data)
        print(json.dumps({"size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                          "metadata": r.get("Metadata", {})}))
    elif a.command == "list":
        bucket, prefix = a.args
        keys = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys += [{"key": o["Key"], "size": o["Size"]} for o in page.get("Contents", [])]
        print(json.dumps(keys))
    elif a.command == "parts":
        bucket, key = a.args
        r = s3.head_object(Bucket=bucket, Key=key, PartNumber=1)
        print(r.get("PartsCount", 0))
    else:
        sys.exit("unknown command " + a.command)


if __name__ == "__main__":
    main()
