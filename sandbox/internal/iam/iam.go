// Package iam stands in for TWIN's IAM: operator accounts, login and
// refresh under /iam/api/v1, HS256 access tokens (github.com/golang-jwt/jwt)
// and the Bearer authentication the other services use.
package iam

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"twin-panel/sandbox/internal/httpapi"
	"twin-panel/sandbox/internal/stats"
)

// Error messages of the IAM service. "Token is expired." is the exact string
// clients match to decide on a refresh (twin-api.md §2).
const (
	msgInvalidCredentials  = "Invalid credentials."
	msgUserBlocked         = "User is blocked."
	msgTokenExpired        = "Token is expired."
	msgInvalidToken        = "Invalid token."
	msgInvalidRefreshToken = "Invalid refresh token."
)

// defaultTokenTTL is the access-token lifetime when a client asks for none,
// as in the PHP SDK.
const defaultTokenTTL = 3600 * time.Second

// IAM serves authentication and the current-user endpoints under
// /iam/api/v1, and authenticates requests for the other APIs.
type IAM struct {
	store      *Store
	tokens     *JWTSigner
	maxTTL     time.Duration
	refreshTTL time.Duration
	// singleUseRefresh spends a refresh token on its first use.
	singleUseRefresh bool
	stats            *stats.Stats
	now              func() time.Time
	// onLogin, when set, runs after each successful login, before the answer.
	onLogin func(User)

	// notBefore is the instant of the last token-expiry switch in Unix
	// nanoseconds, 0 when off: access tokens issued at or before it count
	// as expired.
	notBefore atomic.Int64
}

// Config sets up an IAM.
type Config struct {
	Store *Store
	// Secret is the HS256 key of access tokens.
	Secret []byte
	// MaxTTL caps the access-token lifetime a client may ask for;
	// RefreshTTL is the lifetime of refresh tokens.
	MaxTTL, RefreshTTL time.Duration
	// SingleUseRefresh spends a refresh token on its first use.
	SingleUseRefresh bool
	Stats            *stats.Stats
	Now              func() time.Time
}

// New returns the IAM service over cfg.Store.
func New(cfg Config) *IAM {
	return &IAM{
		store:            cfg.Store,
		tokens:           NewJWTSigner(cfg.Secret),
		maxTTL:           cfg.MaxTTL,
		refreshTTL:       cfg.RefreshTTL,
		singleUseRefresh: cfg.SingleUseRefresh,
		stats:            cfg.Stats,
		now:              cfg.Now,
	}
}

// OnLogin sets f to run after each successful login, before the answer.
func (a *IAM) OnLogin(f func(User)) { a.onLogin = f }

// Store returns the accounts the IAM authenticates against.
func (a *IAM) Store() *Store { return a.store }

// AuthedHandler is an endpoint that needs the caller's operator account.
type AuthedHandler func(w http.ResponseWriter, r *http.Request, user User)

// Register mounts the IAM endpoints on mux.
func (a *IAM) Register(mux *http.ServeMux) {
	mux.Handle("/iam/api/v1/auth/login", httpapi.Methods{http.MethodPost: a.login})
	// Older SDK releases refreshed with GET and query parameters.
	mux.Handle("/iam/api/v1/auth/refresh", httpapi.Methods{http.MethodPost: a.refresh, http.MethodGet: a.refresh})
	mux.Handle("/iam/api/v1/users/me", httpapi.Methods{http.MethodGet: a.Authenticated(a.me)})
	mux.HandleFunc("/iam/", httpapi.NotFound)
}

// loginRequest is the body of POST /auth/login. companyId and extra are
// accepted for compatibility; every seeded operator has one company.
type loginRequest struct {
	Email     string `json:"email"`
	Password  string `json:"password"`
	TTL       *int64 `json:"ttl"`
	CompanyID *int   `json:"companyId"`
	Extra     any    `json:"extra"`
}

// tokenPair is the answer of login and refresh.
type tokenPair struct {
	Token        string `json:"token"`
	RefreshToken string `json:"refreshToken"`
}

func (a *IAM) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if !httpapi.ReadJSON(w, r, &req) {
		return
	}
	if req.Email == "" || req.Password == "" {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"email": "required", "password": "required"})
		return
	}
	ttl, err := a.tokenTTL(req.TTL)
	if err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"ttl": err.Error()})
		return
	}
	user, err := a.store.Authenticate(req.Email, req.Password)
	if err != nil {
		writeAccountError(w, err, msgInvalidCredentials)
		return
	}
	pair, err := a.issue(user, ttl, a.store.IssueRefreshToken(user.ID, a.refreshTTL, a.now()))
	if err != nil {
		httpapi.WriteError(w, http.StatusInternalServerError, "Internal server error.", nil)
		return
	}
	a.stats.CountLogin()
	if a.onLogin != nil {
		a.onLogin(user)
	}
	httpapi.WriteJSON(w, http.StatusOK, pair)
}

// refresh swaps a refresh token for a new pair. The access token in the
// Authorization header may be expired, but must be genuine and name the same
// user as the refresh token.
func (a *IAM) refresh(w http.ResponseWriter, r *http.Request) {
	a.stats.CountRefreshRequest()
	var req struct {
		RefreshToken string `json:"refreshToken"`
		TTL          *int64 `json:"ttl"`
	}
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		req.RefreshToken = q.Get("refreshToken")
		if raw := q.Get("ttl"); raw != "" {
			ttl, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"ttl": "must be an integer"})
				return
			}
			req.TTL = &ttl
		}
	} else if !httpapi.ReadJSON(w, r, &req) {
		return
	}
	ttl, err := a.tokenTTL(req.TTL)
	if err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "Validation failed.", map[string]string{"ttl": err.Error()})
		return
	}
	now := a.now()
	claims, err := a.tokens.Verify(refreshAuthToken(r.Header.Get("Authorization")), now)
	genuine := err == nil || errors.Is(err, ErrTokenExpired)
	if !genuine || claims.Subject != strconv.Itoa(claims.UserID) || req.RefreshToken == "" {
		httpapi.WriteError(w, http.StatusUnauthorized, msgInvalidRefreshToken, nil)
		return
	}
	user, err := a.store.ActiveUser(claims.UserID)
	if err != nil {
		writeAccountError(w, err, msgInvalidRefreshToken)
		return
	}
	next, err := a.store.RotateRefreshToken(req.RefreshToken, user.ID, a.refreshTTL, now, a.singleUseRefresh)
	if err != nil {
		httpapi.WriteError(w, http.StatusUnauthorized, msgInvalidRefreshToken, nil)
		return
	}
	pair, err := a.issue(user, ttl, next)
	if err != nil {
		httpapi.WriteError(w, http.StatusInternalServerError, "Internal server error.", nil)
		return
	}
	a.stats.CountRefresh()
	httpapi.WriteJSON(w, http.StatusOK, pair)
}

// writeAccountError answers an account that cannot sign in: 403 for a
// blocked operator, else 401 with message.
func writeAccountError(w http.ResponseWriter, err error, message string) {
	if errors.Is(err, ErrUserBlocked) {
		httpapi.WriteError(w, http.StatusForbidden, msgUserBlocked, nil)
		return
	}
	httpapi.WriteError(w, http.StatusUnauthorized, message, nil)
}

func (a *IAM) me(w http.ResponseWriter, _ *http.Request, user User) {
	httpapi.WriteJSON(w, http.StatusOK, user)
}

// tokenTTL applies the default and the cap to a requested lifetime in seconds.
func (a *IAM) tokenTTL(requested *int64) (time.Duration, error) {
	if requested == nil {
		return min(defaultTokenTTL, a.maxTTL), nil
	}
	if *requested < 1 {
		return 0, fmt.Errorf("must be at least 1 second")
	}
	maxSeconds := int64(a.maxTTL / time.Second)
	return time.Duration(min(*requested, maxSeconds)) * time.Second, nil
}

// issue signs an access token for user valid for ttl. Its issue instant is
// kept strictly after the last expiry switch, so a token issued right after
// the switch is valid even on a coarse clock.
func (a *IAM) issue(user User, ttl time.Duration, refreshToken string) (tokenPair, error) {
	now := a.now()
	issuedNs := max(now.UnixNano(), a.notBefore.Load()+1)
	token, err := a.tokens.Sign(Claims{
		Subject:    strconv.Itoa(user.ID),
		UserID:     user.ID,
		CompanyID:  user.CompanyID,
		Email:      user.Email,
		IssuedAt:   now.Unix(),
		ExpiresAt:  now.Unix() + int64(ttl/time.Second),
		IssuedAtNs: issuedNs,
	})
	return tokenPair{Token: token, RefreshToken: refreshToken}, err
}

// ExpireIssuedTokens makes every access token issued until now count as
// expired; refreshing with such a token still works. It returns the switch
// instant.
func (a *IAM) ExpireIssuedTokens() time.Time {
	now := a.now()
	ns := now.UnixNano()
	for {
		old := a.notBefore.Load()
		if ns <= old {
			// Tokens may carry instants up to old+1: move past them too.
			ns = old + 1
		}
		if a.notBefore.CompareAndSwap(old, ns) {
			return time.Unix(0, ns)
		}
	}
}

// ClearTokenExpiry switches ExpireIssuedTokens off again.
func (a *IAM) ClearTokenExpiry() { a.notBefore.Store(0) }

// switchedOff reports whether the expiry switch retired a genuine token.
// Tokens without the private claim fall back to iat in whole seconds.
func (a *IAM) switchedOff(claims Claims) bool {
	notBefore := a.notBefore.Load()
	if notBefore == 0 {
		return false
	}
	issued := claims.IssuedAtNs
	if issued == 0 {
		issued = claims.IssuedAt * int64(time.Second)
	}
	return issued <= notBefore
}

// VerifyAccessToken resolves an access token to its operator. It returns
// ErrTokenExpired (also for tokens retired by ExpireIssuedTokens),
// ErrTokenInvalid or ErrUserBlocked on failure; a token of an unknown user
// counts as invalid.
func (a *IAM) VerifyAccessToken(token string) (User, error) {
	claims, err := a.tokens.Verify(token, a.now())
	if err != nil {
		return User{}, err
	}
	if a.switchedOff(claims) {
		return User{}, ErrTokenExpired
	}
	if claims.Subject != strconv.Itoa(claims.UserID) {
		return User{}, ErrTokenInvalid
	}
	user, err := a.store.ActiveUser(claims.UserID)
	if errors.Is(err, ErrUnknownUser) {
		return User{}, ErrTokenInvalid
	}
	return user, err
}

// Authenticated wraps next with Bearer authentication.
func (a *IAM) Authenticated(next AuthedHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			httpapi.WriteError(w, http.StatusUnauthorized, msgInvalidToken, nil)
			return
		}
		user, err := a.VerifyAccessToken(token)
		switch {
		case errors.Is(err, ErrTokenExpired):
			httpapi.WriteError(w, http.StatusUnauthorized, msgTokenExpired, nil)
		case errors.Is(err, ErrUserBlocked):
			httpapi.WriteError(w, http.StatusForbidden, msgUserBlocked, nil)
		case err != nil:
			httpapi.WriteError(w, http.StatusUnauthorized, msgInvalidToken, nil)
		default:
			next(w, r, user)
		}
	}
}

// bearerToken extracts the token of an "Authorization: Bearer <token>" header.
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// refreshAuthToken reads the refresh call's Authorization header, which the
// SDK sends raw; a Bearer prefix is tolerated.
func refreshAuthToken(header string) string {
	if token, ok := bearerToken(header); ok {
		return token
	}
	return strings.TrimSpace(header)
}
