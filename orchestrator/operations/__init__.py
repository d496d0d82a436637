"""The operators' and members' actions: the deployment config and the deployment, typed
proposal actions, amounts, dues, the audit of powers, and the session a command works with."""
