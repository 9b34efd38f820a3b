package emulator

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/galileo-community/galileo-go/galileo"
)

// tokenLifetime is how long issued JWTs stay valid (from the injected clock).
const tokenLifetime = 24 * time.Hour

func (s *Server) keyOK(key string) bool {
	return subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.APIKey)) == 1
}

// issueToken mints an HS256 JWT for the emulator's user. kind is "access"
// or "refresh".
func (s *Server) issueToken(kind string) (string, error) {
	now := s.now()
	claims := jwt.MapClaims{
		"sub":   userID,
		"email": userEmail,
		"typ":   kind,
		"iat":   now.Unix(),
		"exp":   now.Add(tokenLifetime).Unix(),
		"jti":   s.newID(),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.secret)
}

// verifyToken checks signature, expiry and kind of a JWT the server issued.
func (s *Server) verifyToken(tok, kind string) bool {
	parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return s.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(s.now),
		jwt.WithExpirationRequired())
	if err != nil || !parsed.Valid {
		return false
	}
	claims, ok := parsed.Claims.(jwt.MapClaims)
	if !ok {
		return false
	}
	typ, _ := claims["typ"].(string)
	return typ == kind
}

// authenticate accepts Authorization: Bearer <jwt>, or the raw API key in
// Galileo-API-Key or Splunk-AO-API-Key.
func (s *Server) authenticate(r *http.Request) error {
	for _, h := range []string{"Galileo-API-Key", "Splunk-AO-API-Key"} {
		if v := r.Header.Get(h); v != "" {
			if s.keyOK(v) {
				return nil
			}
			return errorf(http.StatusUnauthorized, "Invalid API key")
		}
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return errorf(http.StatusUnauthorized, "Not authenticated")
	}
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(tok) == "" {
		return errorf(http.StatusUnauthorized, "Not authenticated: expected 'Authorization: Bearer <token>'")
	}
	if !s.verifyToken(strings.TrimSpace(tok), "access") {
		return errorf(http.StatusUnauthorized, "Could not validate credentials: the token is invalid or expired")
	}
	return nil
}

func (s *Server) handleHealthcheck(c *call) error {
	return c.json(http.StatusOK, galileo.Healthcheck{APIVersion: "v2", Message: "ok", Version: "galileo-emulator"})
}

// tokenAnswer writes an access token and sets a refresh_token cookie.
func (s *Server) tokenAnswer(c *call) error {
	access, err := s.issueToken("access")
	if err != nil {
		return err
	}
	refresh, err := s.issueToken("refresh")
	if err != nil {
		return err
	}
	http.SetCookie(c.w, &http.Cookie{Name: "refresh_token", Value: refresh, Path: "/", HttpOnly: true,
		Expires: s.now().Add(tokenLifetime)})
	return c.json(http.StatusOK, galileo.Token{AccessToken: access, TokenType: "bearer"})
}

func (s *Server) handleLoginAPIKey(c *call) error {
	var body struct {
		APIKey *string `json:"api_key"`
	}
	if err := decodeJSON(c.r, &body, false); err != nil {
		return err
	}
	if body.APIKey == nil {
		return missing("api_key")
	}
	if !s.keyOK(*body.APIKey) {
		return errorf(http.StatusUnauthorized, "Invalid API key")
	}
	return s.tokenAnswer(c)
}

// handleLogin serves the form login: any username, with the API key as the
// password.
func (s *Server) handleLogin(c *call) error {
	if err := c.r.ParseForm(); err != nil {
		return invalid("value_error", "expected a form-urlencoded body with username and password", "body")
	}
	if c.r.PostForm.Get("username") == "" {
		return missing("username")
	}
	if _, ok := c.r.PostForm["password"]; !ok {
		return missing("password")
	}
	if !s.keyOK(c.r.PostForm.Get("password")) {
		return errorf(http.StatusUnauthorized, "Invalid username or password")
	}
	return s.tokenAnswer(c)
}

func (s *Server) handleRefreshToken(c *call) error {
	ck, err := c.r.Cookie("refresh_token")
	if err != nil || !s.verifyToken(ck.Value, "refresh") {
		return errorf(http.StatusUnauthorized, "Missing or invalid refresh token")
	}
	return s.tokenAnswer(c)
}

func (s *Server) handleCurrentUser(c *call) error {
	u := userInfo()
	return c.json(http.StatusOK, galileo.CurrentUser{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, Role: "admin"})
}
