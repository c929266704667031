"""Transforms a SAM template into the CloudFormation template the AWS::Serverless transform makes.

Usage: python3 scripts/sam-translate.py TEMPLATE PARAMETERS_JSON

TEMPLATE is a SAM template (YAML or JSON) and PARAMETERS_JSON a JSON object of parameter values.
Prints the transformed template as JSON. Needs no AWS access: local CodeUri paths are replaced by
an S3 location, as `sam package` would, and named managed policies are not looked up in IAM.
"""

import json
import os
import sys

# The translator asks boto3 for the region (to pick the partition); no call leaves the machine.
# Fixed, so the output does not depend on the caller's AWS configuration.
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ.pop("AWS_PROFILE", None)

from samtranslator.model.exceptions import InvalidDocumentException  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402
from samtranslator.yaml_helper import yaml_parse  # noqa: E402

PACKAGED_CODE_URI = "s3://packaged-artifacts/code.zip"
CODE_URI_TYPES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
}


class OfflineManagedPolicyLoader:
    """Knows no managed policy by name, so a template naming one fails instead of calling IAM."""

    def load(self):
        return {}


def is_local(location):
    return isinstance(location, str) and not location.startswith("s3://")


def package(template):
    """Points every local code location at S3, the way `sam package` rewrites them."""
    function_globals = template.get("Globals", {}).get("Function", {})
    if is_local(function_globals.get("CodeUri")):
        function_globals["CodeUri"] = PACKAGED_CODE_URI
    for resource in template.get("Resources", {}).values():
        key = CODE_URI_TYPES.get(resource.get("Type"))
        properties = resource.get("Properties", {})
        if key is not None and is_local(properties.get(key)):
            properties[key] = PACKAGED_CODE_URI
    return template


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as file:
        template = yaml_parse(file.read())
    parameters = json.loads(argv[2])
    try:
        transformed = transform(package(template), parameters, OfflineManagedPolicyLoader())
    except InvalidDocumentException as error:
        for cause in error.causes:
            print(cause.message, file=sys.stderr)
        return 1
    print(json.dumps(transformed, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
