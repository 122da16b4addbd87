package iam

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Role is one entry of User.Roles; company_id is snake_case on the real API.
type Role struct {
	Name      string `json:"name"`
	CompanyID *int   `json:"company_id"`
}

// User is the IAM user entity (twin-api.md §6.8).
type User struct {
	ID         int            `json:"id"`
	CompanyID  int            `json:"companyId"`
	FirstName  string         `json:"firstName"`
	LastName   string         `json:"lastName"`
	MiddleName *string        `json:"middleName"`
	Email      string         `json:"email"`
	Phone      *string        `json:"phone"`
	Roles      []Role         `json:"roles"`
	Settings   map[string]any `json:"settings"`
	Avatar     any            `json:"avatar"`
}

// operator is a seeded account: the public entity plus what only the
// sandbox knows.
type operator struct {
	User
	Password string
	Blocked  bool
	// seedBlocked is Blocked as seeded, restored by RestoreSeedBlocks.
	seedBlocked bool
}

// refreshGrant is what a refresh token stands for.
type refreshGrant struct {
	userID    int
	expiresAt time.Time
}

// Errors returned by Store methods.
var (
	ErrInvalidCredentials  = errors.New("invalid credentials")
	ErrUserBlocked         = errors.New("user is blocked")
	ErrUnknownUser         = errors.New("unknown user")
	ErrInvalidRefreshToken = errors.New("invalid refresh token")
)

// Store holds the operator accounts and refresh tokens. Every field is
// guarded by mu. Sessions, messages and operator statuses live in the chats service.
type Store struct {
	mu        sync.Mutex
	operators map[int]*operator
	byEmail   map[string]int
	refresh   map[string]refreshGrant
}

// NewStore returns a store seeded with the sandbox operators.
func NewStore() *Store {
	s := &Store{
		operators: make(map[int]*operator),
		byEmail:   make(map[string]int),
		refresh:   make(map[string]refreshGrant),
	}
	for _, op := range seedOperators() {
		s.operators[op.ID] = op
		s.byEmail[strings.ToLower(op.Email)] = op.ID
	}
	return s
}

// SeedPassword is the password of every seeded operator.
const SeedPassword = "operator"

// SeedAccount is a seeded operator as `-describe` lists it.
type SeedAccount struct {
	ID      int
	Email   string
	Blocked bool
}

// SeedAccounts lists the operators every sandbox starts with.
func SeedAccounts() []SeedAccount {
	var out []SeedAccount
	for _, op := range seedOperators() {
		out = append(out, SeedAccount{ID: op.ID, Email: op.Email, Blocked: op.Blocked})
	}
	return out
}

// seedOperators lists the accounts every sandbox starts with.
func seedOperators() []*operator {
	const company = 1
	mk := func(id int, email, first, last string, blocked bool) *operator {
		companyID := company
		return &operator{
			User: User{
				ID:        id,
				CompanyID: company,
				FirstName: first,
				LastName:  last,
				Email:     email,
				Roles:     []Role{{Name: "OPERATOR", CompanyID: &companyID}},
				Settings:  map[string]any{},
			},
			Password:    SeedPassword,
			Blocked:     blocked,
			seedBlocked: blocked,
		}
	}
	return []*operator{
		mk(389, "operator@twin.local", "Первый", "Оператор V", false),
		mk(472, "dev@twin.local", "II", "Dev", false),
		mk(494, "third@twin.local", "III", "Operator", false),
		mk(500, "blocked@twin.local", "Blocked", "Operator", true),
	}
}

// Authenticate checks an email and password. A blocked operator with the
// right password gets ErrUserBlocked, a wrong password ErrInvalidCredentials.
func (s *Store) Authenticate(email, password string) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byEmail[strings.ToLower(strings.TrimSpace(email))]
	if !ok {
		return User{}, ErrInvalidCredentials
	}
	op := s.operators[id]
	if op.Password != password {
		return User{}, ErrInvalidCredentials
	}
	if op.Blocked {
		return User{}, ErrUserBlocked
	}
	return op.clone(), nil
}

// ActiveUser returns the operator with this id, or ErrUnknownUser, or
// ErrUserBlocked.
func (s *Store) ActiveUser(id int) (User, error) {
	info, ok := s.Operator(id)
	switch {
	case !ok:
		return User{}, ErrUnknownUser
	case info.Blocked:
		return User{}, ErrUserBlocked
	}
	return info.User, nil
}

// SetBlocked blocks or unblocks an operator. A blocked operator's tokens
// stay genuine but every use of them is refused.
func (s *Store) SetBlocked(id int, blocked bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.operators[id]
	if !ok {
		return ErrUnknownUser
	}
	op.Blocked = blocked
	return nil
}

// RestoreSeedBlocks undoes every SetBlocked.
func (s *Store) RestoreSeedBlocks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, op := range s.operators {
		op.Blocked = op.seedBlocked
	}
}

// IssueRefreshToken creates an opaque refresh token for userID.
func (s *Store) IssueRefreshToken(userID int, ttl time.Duration, now time.Time) string {
	token := randomToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.refresh) >= pruneRefreshAt {
		s.pruneRefreshLocked(now)
	}
	s.refresh[token] = refreshGrant{userID: userID, expiresAt: now.Add(ttl)}
	return token
}

// pruneRefreshAt is the number of live grants above which expired ones are
// swept, so a long soak of logins does not grow the map without bound.
const pruneRefreshAt = 10000

func (s *Store) pruneRefreshLocked(now time.Time) {
	for token, grant := range s.refresh {
		if !now.Before(grant.expiresAt) {
			delete(s.refresh, token)
		}
	}
}

// RotateRefreshToken issues a new token for old, provided old is live and
// belongs to userID. With singleUse, old is spent by the call, so a second
// refresh with it fails; otherwise it stays valid until it expires. A token
// presented for another user is spent either way, as a leaked token should
// not be tried twice.
func (s *Store) RotateRefreshToken(old string, userID int, ttl time.Duration, now time.Time, singleUse bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	grant, ok := s.refresh[old]
	if !ok {
		return "", ErrInvalidRefreshToken
	}
	if singleUse || grant.userID != userID || !now.Before(grant.expiresAt) {
		delete(s.refresh, old)
	}
	if grant.userID != userID || !now.Before(grant.expiresAt) {
		return "", ErrInvalidRefreshToken
	}
	token := randomToken()
	s.refresh[token] = refreshGrant{userID: userID, expiresAt: now.Add(ttl)}
	return token, nil
}

// clone copies the parts of a user a caller could mutate.
func (op *operator) clone() User {
	u := op.User
	u.Roles = slices.Clone(u.Roles)
	u.Settings = maps.Clone(u.Settings)
	return u
}

// randomToken returns 32 random bytes, base64url encoded.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// OperatorInfo is what the chats service needs to know about an account.
type OperatorInfo struct {
	User
	Blocked bool
}

// Operator returns the account with this id, blocked or not.
func (s *Store) Operator(id int) (OperatorInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.operators[id]
	if !ok {
		return OperatorInfo{}, false
	}
	return OperatorInfo{User: op.clone(), Blocked: op.Blocked}, true
}

// Operators returns every account, ordered by id.
func (s *Store) Operators() []OperatorInfo {
	s.mu.Lock()
	ids := slices.Sorted(maps.Keys(s.operators))
	s.mu.Unlock()
	out := make([]OperatorInfo, 0, len(ids))
	for _, id := range ids {
		info, _ := s.Operator(id) // accounts are never removed
		out = append(out, info)
	}
	return out
}

// FullName is "firstName lastName", the operatorName of sessions and the
// authorName of an operator's messages.
func (u User) FullName() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}
