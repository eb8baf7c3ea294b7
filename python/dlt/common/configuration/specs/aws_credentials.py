"""dlt's AwsCredentials: the credentials of an S3 bucket (the filesystem source and destination),
given in code (`filesystem(bucket_url="s3://...", credentials=AwsCredentials(...))`) or resolved as a
spec from the profile's secrets (`credentials: AwsCredentials = dlt.secrets.value`). Like every
spec it prints without its values, so the secret key and session token reach no log."""

from typing import Any, Dict, Optional

from dlt.common.configuration.specs.base_configuration import CredentialsConfiguration, configspec
from dlt.common.typing import TSecretStrValue


@configspec
class AwsCredentials(CredentialsConfiguration):
    aws_access_key_id: Optional[str] = None
    aws_secret_access_key: Optional[TSecretStrValue] = None
    aws_session_token: Optional[TSecretStrValue] = None
    profile_name: Optional[str] = None
    region_name: Optional[str] = None
    endpoint_url: Optional[str] = None
    s3_url_style: Optional[str] = None

    def to_s3fs_credentials(self) -> Dict[str, Any]:
        """The fields as s3fs takes them (dlt's names)."""
        return dict(key=self.aws_access_key_id, secret=self.aws_secret_access_key, token=self.aws_session_token,
                    profile=self.profile_name, endpoint_url=self.endpoint_url,
                    client_kwargs={"region_name": self.region_name})

    def to_native_representation(self) -> Dict[str, Optional[str]]:
        return {k: getattr(self, k) for k in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token",
                                               "profile_name", "region_name", "endpoint_url", "s3_url_style")}

    def to_native_credentials(self) -> Dict[str, Optional[str]]:
        return self.to_native_representation()
