# Nomad server configuration with Vault
vault {
  enabled = true
  address = "http://vault:8200"
  create_from_role = "nomad-cluster"
  task_token_ttl = "1h"
  task_token_no_default_policy = true
}
