# Sourced helpers that lay out an ansible-runner private data directory the way AWX writes one
# for a job (scripts/test-awx, tests/e2e/run). Expects scripts/env.sh sourced.
#   awx_pdd DIR                          project/ (tests/ansible_runner/project), inventory/ with
#                                        localhost, env/
#   awx_envvars DIR NAME=VALUE...        env/envvars (the credential's injected variables), 0600
#   awx_vault_chap DIR SECRETS_JSON      the CHAP secrets ({IQN: secret}) vault-encrypted in
#                                        project/vars/chap_secrets.yml, and the vault prompt
#                                        answered from env/passwords as AWX's vault credential
#                                        does; prints the vault password (to search artifacts for);
#                                        fails (and removes the file) unless it is a vault
#   awx_run DIR PLAYBOOK IDENT LOG       ansible-runner run; its exit status
awx_pdd() {
  mkdir -p "$1/project" "$1/inventory" "$1/env"
  cp -r "$top/tests/ansible_runner/project/." "$1/project/"
  # git keeps no empty directory: the project's vars/ is made here (a clean clone has none).
  mkdir -p "$1/project/vars"
  printf 'localhost ansible_connection=local ansible_python_interpreter=%s\n' "$(command -v python)" >"$1/inventory/hosts"
}

awx_envvars() {
  local dir=$1; shift
  python - "$@" >"$dir/env/envvars" <<'PY'
import json, sys
print(json.dumps(dict(arg.split('=', 1) for arg in sys.argv[1:]), indent=1))
PY
  chmod 600 "$dir/env/envvars"
}

awx_vault_chap() {
  local dir=$1 secrets=$2 vault_password pass_file
  vault_password=$(python -c 'import secrets; print(secrets.token_urlsafe(16))')
  python - "$secrets" >"$dir/project/vars/chap_secrets.yml" <<'PY'
import json, sys, yaml
print(yaml.safe_dump({'datacenter_paths_chap_secrets': json.loads(sys.argv[1])}, default_flow_style=False))
PY
  pass_file=$(mktemp)
  printf '%s\n' "$vault_password" >"$pass_file"
  local vault_rc vault_out
  vault_out=$(ansible-vault encrypt --vault-password-file "$pass_file" "$dir/project/vars/chap_secrets.yml" 2>&1)
  vault_rc=$?
  rm -f "$pass_file"
  # Plaintext secrets would pass every later step: refuse unless the file is a vault.
  if [ "$vault_rc" != 0 ] || [ "$(head -n 1 "$dir/project/vars/chap_secrets.yml" | cut -d";" -f1)" != '$ANSIBLE_VAULT' ]; then
    echo "awx_vault_chap: $dir/project/vars/chap_secrets.yml is not vault-encrypted (ansible-vault rc $vault_rc: ${vault_out##*$'\n'})" >&2
    # Gone rather than left in plaintext: a caller that goes on anyway has a job that fails.
    rm -f "$dir/project/vars/chap_secrets.yml"
    return 1
  fi
  # AWX's vault credential: --ask-vault-pass on the command line, the answer in env/passwords.
  printf -- '--ask-vault-pass' >"$dir/env/cmdline"
  python - "$vault_password" >"$dir/env/passwords" <<'PY'
import json, sys
print(json.dumps({r'^Vault password:\s*?$': sys.argv[1]}))
PY
  chmod 600 "$dir/env/passwords"
  echo "$vault_password"
}

awx_run() {
  ansible-runner run "$1" -p "$2" --ident "$3" >"$4" 2>&1
}
