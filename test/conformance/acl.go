package main

import (
	"fmt"
	"strings"

	"github.com/hashicorp/nomad/api"
)

// The acl command group, run only with ACLs enabled. Bootstrap comes first:
// every later call carries the management token.
var aclReplays = []replay{
	{"acl bootstrap", true, aclBootstrap},
	{"acl policy apply", true, aclPolicyApply},
	{"acl policy info", true, aclPolicyInfo},
	{"acl policy list", true, aclPolicyList},
	{"acl token create", true, aclTokenCreate},
	{"acl token self", true, aclTokenSelf},
	{"acl token list", true, aclTokenList},
	{"acl role create", true, aclRoleCreate},
	{"acl role list", true, aclRoleList},
	{"acl token create -role-name", true, aclTokenCreateWithRole},
	{"acl token update", true, aclTokenUpdate},
	{"acl token list (denied)", true, aclTokenListDenied},
}

// Deleting what the acl commands made, last: the reader's token is then
// refused.
var aclTeardownReplays = []replay{
	{"acl role delete", true, aclRoleDelete},
	{"acl token delete", true, aclTokenDelete},
	{"acl policy delete", true, aclPolicyDelete},
}

const readerRules = `namespace "default" { policy = "read" }`

// nomad acl bootstrap: BootstrapOpts with no operator-supplied secret. An
// anonymous request is denied before it.
func aclBootstrap(s *session) error {
	if _, _, err := s.client.Jobs().List(nil); denied(err) != nil {
		return fmt.Errorf("listing jobs without a token: %w", denied(err))
	}
	boot, _, err := s.client.ACLTokens().BootstrapOpts("", nil)
	if err != nil {
		return err
	}
	if boot.Type != "management" || boot.SecretID == "" || boot.AccessorID == "" {
		return fmt.Errorf("got %+v", boot)
	}
	if _, _, err := s.client.ACLTokens().BootstrapOpts("", nil); err == nil ||
		!strings.Contains(err.Error(), "ACL bootstrap already done") {
		return fmt.Errorf("a second bootstrap: %v", err)
	}
	s.client.SetSecretID(boot.SecretID)
	return nil
}

// nomad acl policy apply -description D readonly rules.hcl
func aclPolicyApply(s *session) error {
	_, err := s.client.ACLPolicies().Upsert(&api.ACLPolicy{
		Name:        "readonly",
		Description: "reads the default namespace",
		Rules:       readerRules,
	}, nil)
	return err
}

// nomad acl policy info readonly
func aclPolicyInfo(s *session) error {
	p, _, err := s.client.ACLPolicies().Info("readonly", nil)
	if err != nil {
		return err
	}
	if p.Rules != readerRules || p.Description != "reads the default namespace" || p.CreateIndex == 0 {
		return fmt.Errorf("got %+v", p)
	}
	return nil
}

// nomad acl policy list
func aclPolicyList(s *session) error {
	list, _, err := s.client.ACLPolicies().List(nil)
	if err != nil {
		return err
	}
	if len(list) != 1 || list[0].Name != "readonly" {
		return fmt.Errorf("got %+v", list)
	}
	return nil
}

// nomad acl token create -name reader -policy readonly: the CLI reads each
// named policy first, then creates the token.
func aclTokenCreate(s *session) error {
	if _, _, err := s.client.ACLPolicies().Info("readonly", nil); err != nil {
		return err
	}
	token, _, err := s.client.ACLTokens().Create(&api.ACLToken{Name: "reader", Type: "client", Policies: []string{"readonly"}}, nil)
	if err != nil {
		return err
	}
	if token.SecretID == "" || token.AccessorID == "" || token.Type != "client" {
		return fmt.Errorf("got %+v", token)
	}
	reader, err := withToken(token.SecretID)
	if err != nil {
		return err
	}
	s.reader = reader
	return nil
}

// nomad acl token self, with the reader's token.
func aclTokenSelf(s *session) error {
	self, _, err := s.reader.ACLTokens().Self(nil)
	if err != nil {
		return err
	}
	if self.Name != "reader" || len(self.Policies) != 1 || self.Policies[0] != "readonly" {
		return fmt.Errorf("got %+v", self)
	}
	return nil
}

// nomad acl token list
func aclTokenList(s *session) error {
	list, _, err := s.client.ACLTokens().List(nil)
	if err != nil {
		return err
	}
	names := []string{}
	for _, t := range list {
		names = append(names, t.Name)
	}
	if len(list) != 2 {
		return fmt.Errorf("want the bootstrap and reader tokens, got %v", names)
	}
	return nil
}

// nomad acl role create -name readers -policy readonly
func aclRoleCreate(s *session) error {
	role, _, err := s.client.ACLRoles().Create(&api.ACLRole{
		Name:     "readers",
		Policies: []*api.ACLRolePolicyLink{{Name: "readonly"}},
	}, nil)
	if err != nil {
		return err
	}
	if role.ID == "" {
		return fmt.Errorf("got %+v", role)
	}
	got, _, err := s.client.ACLRoles().GetByName("readers", nil)
	if err != nil || got.ID != role.ID {
		return fmt.Errorf("by name: %+v %v", got, err)
	}
	return nil
}

// nomad acl role list
func aclRoleList(s *session) error {
	list, _, err := s.client.ACLRoles().List(nil)
	if err != nil {
		return err
	}
	if len(list) != 1 || list[0].Name != "readers" || len(list[0].Policies) != 1 {
		return fmt.Errorf("got %+v", list)
	}
	return nil
}

// nomad acl token create -name "role reader" -role-name readers: the token
// reads through its role and cannot write.
func aclTokenCreateWithRole(s *session) error {
	token, _, err := s.client.ACLTokens().Create(&api.ACLToken{
		Name:  "role reader",
		Type:  "client",
		Roles: []*api.ACLTokenRoleLink{{Name: "readers"}},
	}, nil)
	if err != nil {
		return err
	}
	viaRole, err := withToken(token.SecretID)
	if err != nil {
		return err
	}
	self, _, err := viaRole.ACLTokens().Self(nil)
	if err != nil || len(self.Roles) != 1 || self.Roles[0].Name != "readers" {
		return fmt.Errorf("self: %+v %v", self, err)
	}
	if _, _, err := viaRole.Jobs().List(nil); err != nil {
		return fmt.Errorf("listing jobs through the role: %w", err)
	}
	if _, _, err := viaRole.Jobs().Register(conformanceJob(), nil); denied(err) != nil {
		return fmt.Errorf("registering through a read-only role: %w", denied(err))
	}
	return nil
}

// nomad acl token update -name renamed ACCESSOR: read the token, then
// update it.
func aclTokenUpdate(s *session) error {
	self, _, err := s.reader.ACLTokens().Self(nil)
	if err != nil {
		return err
	}
	token, _, err := s.client.ACLTokens().Info(self.AccessorID, nil)
	if err != nil {
		return err
	}
	token.Name = "renamed"
	updated, _, err := s.client.ACLTokens().Update(token, nil)
	if err != nil {
		return err
	}
	// As Nomad's, the answer is the whole token, its secret (unchanged) too.
	if updated.Name != "renamed" || updated.AccessorID != self.AccessorID || len(updated.Policies) != 1 ||
		updated.SecretID != self.SecretID {
		return fmt.Errorf("got %+v", updated)
	}
	// The secret stays.
	after, _, err := s.reader.ACLTokens().Self(nil)
	if err != nil || after.Name != "renamed" {
		return fmt.Errorf("the reader's token after the update: %+v %v", after, err)
	}
	return nil
}

// The reader may list the policies it carries, and no token: listing
// tokens needs a management token.
func aclTokenListDenied(s *session) error {
	mine, _, err := s.reader.ACLPolicies().List(nil)
	if err != nil || len(mine) != 1 || mine[0].Name != "readonly" {
		return fmt.Errorf("the reader's policies: %+v %v", mine, err)
	}
	_, _, err = s.reader.ACLTokens().List(nil)
	return denied(err)
}

// nomad acl role delete ROLE_ID
func aclRoleDelete(s *session) error {
	role, _, err := s.client.ACLRoles().GetByName("readers", nil)
	if err != nil {
		return err
	}
	if _, err := s.client.ACLRoles().Delete(role.ID, nil); err != nil {
		return err
	}
	list, _, err := s.client.ACLRoles().List(nil)
	if err != nil || len(list) != 0 {
		return fmt.Errorf("roles after the delete: %+v %v", list, err)
	}
	return nil
}

// nomad acl token delete ACCESSOR: the reader's token; it is refused at once.
func aclTokenDelete(s *session) error {
	self, _, err := s.reader.ACLTokens().Self(nil)
	if err != nil {
		return err
	}
	if _, err := s.client.ACLTokens().Delete(self.AccessorID, nil); err != nil {
		return err
	}
	if _, _, err := s.reader.Jobs().List(nil); err == nil || !strings.Contains(err.Error(), "403 (ACL token not found)") {
		return fmt.Errorf("the deleted token: %v", err)
	}
	return nil
}

// nomad acl policy delete readonly
func aclPolicyDelete(s *session) error {
	if _, err := s.client.ACLPolicies().Delete("readonly", nil); err != nil {
		return err
	}
	if _, _, err := s.client.ACLPolicies().Info("readonly", nil); err == nil || !strings.Contains(err.Error(), "404") {
		return fmt.Errorf("reading the deleted policy: %v", err)
	}
	return nil
}
