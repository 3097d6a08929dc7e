# Server configuration with ACLs
acl {
  enabled = true
}
