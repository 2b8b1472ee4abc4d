"""The option settings of a realistic Elastic Beanstalk environment, for the
single-region Beanstalk benchmark profile.

A running environment's `aws elasticbeanstalk describe-configuration-settings`
answer lists every option of its platform, not only the ones a person set:
about a hundred for a load-balanced Python environment. The namespaces, option
names and defaults below are those of the AWS Elastic Beanstalk Developer Guide,
"General options for all environments"
(https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.html)
and "Platform specific options" (Python, .../command-options-specific.html).
The deployment options vary by environment (see `environment_options`), so the
scan's rules see every deployment policy the estate can hold.
"""

from __future__ import annotations

from typing import Any

_BASE: dict[str, dict[str, str]] = {
    "aws:autoscaling:asg": {
        "Availability Zones": "Any",
        "Cooldown": "360",
        "EnableCapacityRebalancing": "false",
        "MaxSize": "4",
        "MinSize": "2",
    },
    "aws:autoscaling:launchconfiguration": {
        "DisableIMDSv1": "true",
        "EC2KeyName": "",
        "IamInstanceProfile": "aws-elasticbeanstalk-ec2-role",
        "ImageId": "ami-0c1d2e3f4a5b6c7d8",
        "InstanceType": "t3.small",
        "MonitoringInterval": "5 minute",
        "RootVolumeIOPS": "",
        "RootVolumeSize": "",
        "RootVolumeThroughput": "",
        "RootVolumeType": "",
        "SSHSourceRestriction": "tcp,22,22,0.0.0.0/0",
        "SecurityGroups": "sg-0a1b2c3d4e5f60718",
    },
    "aws:autoscaling:trigger": {
        "BreachDuration": "5",
        "EvaluationPeriods": "1",
        "LowerBreachScaleIncrement": "-1",
        "LowerThreshold": "2000000",
        "MeasureName": "NetworkOut",
        "Period": "5",
        "Statistic": "Average",
        "Unit": "Bytes",
        "UpperBreachScaleIncrement": "1",
        "UpperThreshold": "6000000",
    },
    "aws:autoscaling:updatepolicy:rollingupdate": {
        "MaxBatchSize": "1",
        "MinInstancesInService": "1",
        "PauseTime": "",
        "RollingUpdateEnabled": "true",
        "RollingUpdateType": "Health",
        "Timeout": "PT30M",
    },
    "aws:ec2:instances": {
        "EnableSpot": "false",
        "InstanceTypes": "t3.small, t3.medium",
        "SpotFleetOnDemandAboveBasePercentage": "0",
        "SpotFleetOnDemandBase": "0",
        "SupportedArchitectures": "x86_64",
    },
    "aws:ec2:vpc": {
        "AssociatePublicIpAddress": "false",
        "DBSubnets": "",
        "ELBScheme": "public",
        "ELBSubnets": "subnet-0a1b2c3d,subnet-1b2c3d4e",
        "Subnets": "subnet-2c3d4e5f,subnet-3d4e5f6a",
        "VPCId": "vpc-0a1b2c3d4e5f60718",
    },
    "aws:elasticbeanstalk:application": {"Application Healthcheck URL": "/healthz"},
    "aws:elasticbeanstalk:application:environment": {
        "APP_ENV": "production",
        "LOG_LEVEL": "info",
        "PYTHONPATH": "/var/app/venv/staging-LQM1lest/bin",
    },
    "aws:elasticbeanstalk:cloudwatch:logs": {
        "DeleteOnTerminate": "false",
        "RetentionInDays": "7",
        "StreamLogs": "true",
    },
    "aws:elasticbeanstalk:cloudwatch:logs:health": {
        "DeleteOnTerminate": "false",
        "HealthStreamingEnabled": "true",
        "RetentionInDays": "7",
    },
    "aws:elasticbeanstalk:command": {
        "BatchSize": "100",
        "BatchSizeType": "Percentage",
        "DeploymentPolicy": "AllAtOnce",
        "IgnoreHealthCheck": "false",
        "Timeout": "600",
    },
    "aws:elasticbeanstalk:container:python": {
        "NumProcesses": "1",
        "NumThreads": "15",
        "WSGIPath": "application",
    },
    "aws:elasticbeanstalk:control": {
        "DefaultSSHPort": "22",
        "LaunchTimeout": "0",
        "LaunchType": "Migration",
        "RollbackLaunchOnFailure": "false",
    },
    "aws:elasticbeanstalk:environment": {
        "EnvironmentType": "LoadBalanced",
        "LoadBalancerIsShared": "false",
        "LoadBalancerType": "application",
        "ServiceRole": "arn:aws:iam::123456789012:role/aws-elasticbeanstalk-service-role",
    },
    "aws:elasticbeanstalk:environment:process:default": {
        "DeregistrationDelay": "20",
        "HealthCheckInterval": "15",
        "HealthCheckPath": "/healthz",
        "HealthCheckTimeout": "5",
        "HealthyThresholdCount": "3",
        "MatcherHTTPCode": "200",
        "Port": "80",
        "Protocol": "HTTP",
        "StickinessEnabled": "false",
        "StickinessLBCookieDuration": "86400",
        "StickinessType": "lb_cookie",
        "UnhealthyThresholdCount": "5",
    },
    "aws:elasticbeanstalk:environment:proxy": {"ProxyServer": "nginx"},
    "aws:elasticbeanstalk:environment:proxy:staticfiles": {"/static": "static"},
    "aws:elasticbeanstalk:healthreporting:system": {
        "ConfigDocument": '{"Version":1,"CloudWatchMetrics":{"Instance":{},"Environment":{}}}',
        "EnhancedHealthAuthEnabled": "true",
        "HealthCheckSuccessThreshold": "Ok",
        "SystemType": "enhanced",
    },
    "aws:elasticbeanstalk:hostmanager": {"LogPublicationControl": "false"},
    "aws:elasticbeanstalk:managedactions": {
        "ManagedActionsEnabled": "true",
        "PreferredStartTime": "Sun:02:00",
        "ServiceRoleForManagedUpdates": "AWSServiceRoleForElasticBeanstalkManagedUpdates",
    },
    "aws:elasticbeanstalk:managedactions:platformupdate": {
        "InstanceRefreshEnabled": "false",
        "UpdateLevel": "minor",
    },
    "aws:elasticbeanstalk:monitoring": {
        "Automatically Terminate Unhealthy Instances": "true",
    },
    "aws:elasticbeanstalk:trafficsplitting": {
        "EvaluationTime": "5",
        "NewVersionPercent": "10",
    },
    "aws:elasticbeanstalk:xray": {"XRayEnabled": "false"},
    "aws:elbv2:listener:default": {
        "DefaultProcess": "default",
        "ListenerEnabled": "true",
        "Protocol": "HTTP",
        "Rules": "",
        "SSLCertificateArns": "",
        "SSLPolicy": "",
    },
    "aws:elbv2:loadbalancer": {
        "AccessLogsS3Bucket": "",
        "AccessLogsS3Enabled": "false",
        "AccessLogsS3Prefix": "",
        "IdleTimeout": "60",
        "ManagedSecurityGroup": "sg-1b2c3d4e5f607182",
        "SecurityGroups": "sg-1b2c3d4e5f607182",
    },
}

# Deployment settings an estate holds, one per environment in turn: every policy
# the Beanstalk rules tell apart (All at once, Rolling, Rolling with an additional
# batch, Immutable, Traffic splitting), with and without the health check ignored.
_DEPLOYMENTS: list[dict[str, dict[str, str]]] = [
    {"aws:elasticbeanstalk:command": {"DeploymentPolicy": "AllAtOnce"}},
    {
        "aws:elasticbeanstalk:command": {
            "DeploymentPolicy": "Rolling",
            "BatchSizeType": "Percentage",
            "BatchSize": "25",
        }
    },
    {
        "aws:elasticbeanstalk:command": {
            "DeploymentPolicy": "RollingWithAdditionalBatch",
            "BatchSizeType": "Fixed",
            "BatchSize": "1",
        }
    },
    {"aws:elasticbeanstalk:command": {"DeploymentPolicy": "Immutable"}},
    {
        "aws:elasticbeanstalk:command": {
            "DeploymentPolicy": "Immutable",
            "IgnoreHealthCheck": "true",
        }
    },
    {
        "aws:elasticbeanstalk:command": {"DeploymentPolicy": "TrafficSplitting"},
        "aws:elasticbeanstalk:trafficsplitting": {
            "NewVersionPercent": "10",
            "EvaluationTime": "15",
        },
    },
]


def environment_options(index: int) -> dict[str, Any]:
    """The option settings of the index-th environment (namespace -> option -> value)."""
    options = {ns: dict(opts) for ns, opts in _BASE.items()}
    for ns, opts in _DEPLOYMENTS[index % len(_DEPLOYMENTS)].items():
        options[ns].update(opts)
    return options


def option_count() -> int:
    return sum(len(opts) for opts in _BASE.values())
