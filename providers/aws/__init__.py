"""AWS provider: CodeDeploy deployment groups and Elastic Beanstalk environments."""

DEFAULT_SESSION_NAME = "relscan"  # the role session name CloudTrail shows
