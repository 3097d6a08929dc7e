# federated.hcl
region_servers {
  "us-west" = ["nomad-west-1:4648", "nomad-west-2:4648"]
  "us-east" = ["nomad-east-1:4648", "nomad-east-2:4648"]
  "eu-west" = ["nomad-eu-1:4648", "nomad-eu-2:4648"]
}

# Enable gossip between regions
serf {
  enabled = true
}
