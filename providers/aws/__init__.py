"""AWS provider: CodeDeploy deployment groups and Elastic Beanstalk environments."""
