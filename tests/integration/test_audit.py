"""`consortium audit` reads every role, owner and privileged address from the chain, and fails when any
is held outside the system's own contracts."""

from tests.integration.test_cli_institutions import enact

OUTSIDER = "0x" + "11" * 20


def test_a_fresh_deployment_is_decentralized(cli, consortium):
    out = cli.ok("audit")
    manifest = cli.manifest()
    timelock, governor = manifest["contracts"]["TimelockController"], manifest["contracts"]["ConsortiumGovernor"]
    assert f"TimelockController   DEFAULT_ADMIN_ROLE     {timelock}  system contract: TimelockController" in out
    assert f"TimelockController   PROPOSER_ROLE          {governor}  system contract: ConsortiumGovernor" in out
    assert f"TimelockController   CANCELLER_ROLE         {governor}  system contract: ConsortiumGovernor" in out
    assert f"TimelockController   EXECUTOR_ROLE          {governor}  system contract: ConsortiumGovernor" in out
    assert "a member's case: its own proposal" in out
    for sanction in ("MemberRegistry.suspend(uint256,string)", "MemberRegistry.expel(uint256,string)",
                     "MemberRegistry.changeTier(uint256,uint8)", "MemberRegistry.rotateSeatOf(uint256,address)",
                     "ConductRecord.censure(uint256,string,uint256)"):
        assert sanction in out.split("a member's case")[1].splitlines()[0]
    assert "MemberRegistry.setTier(uint8,string,uint32,bool,bool)" in out.split("constitutional:")[1].splitlines()[0]
    assert "MemberRegistry       bootstrapper           0x0000000000000000000000000000000000000000  none" in out
    assert f"MemberRegistry       governance             {timelock}  system contract: TimelockController" in out
    for name in ("Treasury", "BodyFactory", "StandardsRegistry", "ConductRecord"):
        assert f"{name:20} governance             {timelock}" in out
    assert consortium["f1"] not in out  # the deployer kept nothing
    assert "decentralized: all" in out and "are held by the system's own contracts or by nobody" in out


def test_a_budget_or_publisher_right_given_to_an_account_fails_the_audit(cli, consortium):
    enact(cli, cli.ok("propose", "create-body", "council", "Council", "--threshold", "1", "--member", "1",
                      "--description", "Council", account="f1"))
    enact(cli, cli.ok("propose", "budget", "Council", "1ether", "--description", "Council budget", account="f1"))
    assert "Body Council" in cli.ok("audit")
    enact(cli, cli.ok("propose", "budget", OUTSIDER, "1 wei", "--description", "A budget for an account",
                      account="f1"))
    enact(cli, cli.ok("propose", "publisher", OUTSIDER, "--description", "An account publishes", account="f1"))
    result = cli("audit")
    assert result.exit_code == 1
    assert f"Treasury             budget (ETH)           {OUTSIDER}  OUTSIDE THE SYSTEM" in result.output
    assert result.output.strip().splitlines()[-1] == (
        f"Error: 2 power(s) held outside the system: Treasury budget (ETH) by {OUTSIDER}; "
        f"StandardsRegistry publisher by {OUTSIDER}")
