// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {IDuesOracle} from "../interfaces/IDuesOracle.sol";
import {IContributionLedger} from "../interfaces/IContributionLedger.sol";

/**
 * @title Treasury
 * @notice The consortium's funds: dues per tier, sponsorships and grants in; spending and budgets out,
 * only through governance (the timelock). Every flow is an event.
 *
 * Dues are owed per period from the day a member joins, in ETH or in the one ERC-20 fixed at
 * deployment. Anyone may pay a member's dues; a payment covers whole periods and extends the member's
 * paid-until date. Unpaid past the grace period, the member's dues have lapsed: anyone may then mark it
 * Lapsed in the registry (no vote on proposals snapshotted afterwards), and paying restores it.
 *
 * A budget is an allowance governance grants to an address (a body): the holder spends from it
 * directly, up to the allowance, without a member vote. Budgets are allowances, not reserved funds.
 *
 * No value can be stranded: plain transfers revert (there is no receive function), and every payable
 * function either accounts for exactly `msg.value` or reverts.
 *
 * What arrived is what counts: an ERC-20 payment is measured by the treasury's balance before and after,
 * so a token that takes a fee or moves less than asked cannot buy a full period of dues (the payment
 * reverts) or inflate a recorded contribution. Contributions are accepted in ETH, the dues token and the
 * tokens governance has listed ({setAcceptedToken}); anything else is refused.
 *
 * A sponsorship in the dues token is also reported to the contribution ledger the registry names, if any
 * ({IMemberRegistry.contributionsLedger}): it counts toward the paying seat's member's weight if that member is
 * active in a voting tier. One switch, in the registry, turns contribution weight on for both.
 */
contract Treasury is IDuesOracle, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    enum ContributionKind {
        Sponsorship,
        Grant
    }

    IMemberRegistry public immutable registry;
    address public immutable governance;
    /// @notice The dues asset: zero for ETH, else the ERC-20.
    IERC20 public immutable duesToken;

    uint48 public duesPeriod;
    uint48 public gracePeriod;
    mapping(uint8 tierId => uint256) private _duesPerPeriod;
    mapping(uint256 memberId => uint48) private _paidUntil;
    mapping(address holder => mapping(IERC20 token => uint256)) private _budgets;
    mapping(IERC20 token => bool) private _listed;

    error TreasuryUnauthorized(address caller);
    error TreasuryZeroAmount();
    error TreasuryWrongValue(uint256 expected, uint256 received);
    error TreasuryNotMember(uint256 memberId);
    error TreasuryNoDues(uint256 memberId);
    error TreasuryDuesPaidAhead(uint256 memberId, uint48 paidUntil);
    error TreasuryInvalidTerms(uint48 duesPeriod, uint48 gracePeriod);
    error TreasuryInsufficientFunds(IERC20 token, uint256 balance, uint256 amount);
    error TreasuryBudgetExceeded(address holder, IERC20 token, uint256 budget, uint256 amount);
    error TreasuryInvalidRecipient(address recipient);
    error TreasuryTransferFailed(address recipient, uint256 amount);
    error TreasuryTokenNotAccepted(IERC20 token);
    error TreasuryShortfall(IERC20 token, uint256 expected, uint256 received);

    event DuesPaid(
        uint256 indexed memberId,
        address indexed payer,
        IERC20 token,
        uint256 amount,
        uint256 periods,
        uint48 paidUntil
    );
    event DuesSet(uint8 indexed tierId, uint256 amountPerPeriod);
    event DuesTermsSet(uint48 duesPeriod, uint48 gracePeriod);
    event Contributed(ContributionKind indexed kind, address indexed from, IERC20 indexed token, uint256 amount, string memo);
    event Spent(address indexed recipient, IERC20 indexed token, uint256 amount, string memo);
    event BudgetSet(address indexed holder, IERC20 indexed token, uint256 amount);
    event BudgetSpent(address indexed holder, address indexed recipient, IERC20 token, uint256 amount, string memo);
    event AcceptedTokenSet(IERC20 indexed token, bool oldAccepted, bool accepted);

    modifier onlyGovernance() {
        if (msg.sender != governance) revert TreasuryUnauthorized(msg.sender);
        _;
    }

    /// @param duesPerTier dues per period for tier 0, 1, 2, … (missing tiers owe nothing)
    constructor(
        IMemberRegistry registry_,
        // slither-disable-next-line missing-zero-check -- deployed by orchestrator/deploy.py with the timelock; consortium audit checks it
        address governance_,
        IERC20 duesToken_,
        uint48 duesPeriod_,
        uint48 gracePeriod_,
        uint256[] memory duesPerTier
    ) {
        registry = registry_;
        governance = governance_;
        duesToken = duesToken_;
        _setTerms(duesPeriod_, gracePeriod_);
        for (uint256 i = 0; i < duesPerTier.length; ++i) {
            _setDues(uint8(i), duesPerTier[i]);
        }
    }

    // ───────────────────────────── money in ─────────────────────────────

    /**
     * @notice Pay `periods` periods of dues for `memberId` (ETH: send exactly the amount; ERC-20:
     * approve it first). Paying more than one period beyond the current one is refused as a double
     * payment. Restores a lapsed member whose dues are now current.
     */
    function payDues(uint256 memberId, uint256 periods) external payable nonReentrant {
        _collectInFull(_creditDues(memberId, periods));
        _restoreIfCurrent(memberId);
    }

    /// @notice {payDues} for many members in one payment (a sponsor or a finance office paying for
    /// several): the value (or the ERC-20 pulled) is the sum of their dues.
    function payDuesMany(uint256[] calldata memberIds, uint256 periods) external payable nonReentrant {
        uint256 total = 0;
        for (uint256 i = 0; i < memberIds.length; ++i) {
            total += _creditDues(memberIds[i], periods);
        }
        _collectInFull(total);
        for (uint256 i = 0; i < memberIds.length; ++i) {
            _restoreIfCurrent(memberIds[i]);
        }
    }

    /// @notice Give `amount` of `token` (zero: ETH, sent as the value) as a sponsorship or a grant, in ETH,
    /// the dues token or a token governance listed. The event records what arrived.
    // slither-disable-next-line incorrect-equality -- an amount received compared with zero: nothing arrived
    function contribute(ContributionKind kind, IERC20 token, uint256 amount, string calldata memo) external payable nonReentrant {
        if (amount == 0) revert TreasuryZeroAmount();
        if (!isAccepted(token)) revert TreasuryTokenNotAccepted(token);
        uint256 received = _collect(token, amount);
        if (received == 0) revert TreasuryZeroAmount();
        emit Contributed(kind, msg.sender, token, received, memo);
        if (kind == ContributionKind.Sponsorship && token == duesToken) _recordSponsorship(received);
    }

    // ───────────────────────────── money out ─────────────────────────────

    /// @notice Governance pays `amount` of `token` (zero: ETH) to `recipient`.
    function spend(IERC20 token, address recipient, uint256 amount, string calldata memo) external onlyGovernance nonReentrant {
        _pay(token, recipient, amount);
        emit Spent(recipient, token, amount, memo);
    }

    /// @notice Governance sets the allowance `holder` (a body) may spend of `token` without a vote.
    function setBudget(address holder, IERC20 token, uint256 amount) external onlyGovernance {
        _budgets[holder][token] = amount;
        emit BudgetSet(holder, token, amount);
    }

    /// @notice A budget holder pays `recipient` from its own allowance.
    function spendBudget(IERC20 token, address recipient, uint256 amount, string calldata memo) external nonReentrant {
        uint256 budget = _budgets[msg.sender][token];
        if (amount > budget) revert TreasuryBudgetExceeded(msg.sender, token, budget, amount);
        _budgets[msg.sender][token] = budget - amount;
        _pay(token, recipient, amount);
        emit BudgetSpent(msg.sender, recipient, token, amount, memo);
    }

    // ───────────────────────────── governance settings ─────────────────────────────

    /// @notice Governance lists (or delists) `token` for contributions. ETH and the dues token are always
    /// accepted.
    function setAcceptedToken(IERC20 token, bool accepted) external onlyGovernance {
        bool oldAccepted = _listed[token];
        _listed[token] = accepted;
        emit AcceptedTokenSet(token, oldAccepted, accepted);
    }

    /// @notice Governance sets a tier's dues per period (zero: the tier owes nothing and never lapses).
    function setDues(uint8 tierId, uint256 amountPerPeriod) external onlyGovernance {
        _setDues(tierId, amountPerPeriod);
    }

    /// @notice Governance sets the length of a dues period and the grace period after it.
    function setDuesTerms(uint48 duesPeriod_, uint48 gracePeriod_) external onlyGovernance {
        _setTerms(duesPeriod_, gracePeriod_);
    }

    // ───────────────────────────── reads ─────────────────────────────

    /// @inheritdoc IDuesOracle
    // slither-disable-next-line calls-loop,timestamp -- the registry is the system's own contract; dues periods are days, grace days
    function duesLapsed(uint256 memberId) public view returns (bool) {
        IMemberRegistry.Member memory m = registry.member(memberId);
        if (_duesPerPeriod[m.tier] == 0) return false;
        return block.timestamp > uint256(_coveredUntil(memberId, m.joinedAt)) + gracePeriod;
    }

    /// @notice Until when `memberId`'s dues are paid (its joining date if it never paid).
    function paidUntil(uint256 memberId) external view returns (uint48) {
        return _coveredUntil(memberId, registry.member(memberId).joinedAt);
    }

    /// @notice Whether contributions in `token` are accepted (zero: ETH).
    function isAccepted(IERC20 token) public view returns (bool) {
        return address(token) == address(0) || token == duesToken || _listed[token];
    }

    /// @notice Dues per period of `tierId`.
    function duesOf(uint8 tierId) external view returns (uint256) {
        return _duesPerPeriod[tierId];
    }

    /// @notice What `holder` may still spend of `token`.
    function budgetOf(address holder, IERC20 token) external view returns (uint256) {
        return _budgets[holder][token];
    }

    /// @notice Active members among ids `first` .. `first + count - 1` whose dues lapsed: the ones a
    /// keeper should pass to {IMemberRegistry.lapse}. One call instead of one per member.
    // slither-disable-next-line assembly,calls-loop,timestamp -- a view for keepers that trims its result array in place; periods are days
    function lapsable(uint256 first, uint256 count) external view returns (uint256[] memory ids) {
        uint256 last = first + count;
        uint256 members = registry.memberCount();
        if (last > members + 1) last = members + 1;
        ids = new uint256[](last > first ? last - first : 0);
        uint256 found;
        for (uint256 id = first; id < last; ++id) {
            if (registry.member(id).status == IMemberRegistry.Status.Active && duesLapsed(id)) ids[found++] = id;
        }
        assembly ("memory-safe") {
            mstore(ids, found)
        }
    }

    // ───────────────────────────── internals ─────────────────────────────

    /// @dev Extends `memberId`'s paid-until date by `periods`; returns what that costs.
    // slither-disable-next-line calls-loop,timestamp -- the registry is the system's own contract; dues periods are days
    function _creditDues(uint256 memberId, uint256 periods) private returns (uint256 amount) {
        if (periods == 0) revert TreasuryZeroAmount();
        IMemberRegistry.Member memory m = registry.member(memberId);
        if (m.status == IMemberRegistry.Status.Resigned || m.status == IMemberRegistry.Status.Expelled) {
            revert TreasuryNotMember(memberId);
        }
        amount = _duesPerPeriod[m.tier] * periods;
        if (amount == 0) revert TreasuryNoDues(memberId);
        uint48 base = _coveredUntil(memberId, m.joinedAt);
        // One period beyond the current one at most: a second payer's duplicate is refused, not banked.
        uint48 paidUntil_ = base + uint48(periods) * duesPeriod;
        if (paidUntil_ > block.timestamp + 2 * uint256(duesPeriod)) revert TreasuryDuesPaidAhead(memberId, base);
        _paidUntil[memberId] = paidUntil_;
        emit DuesPaid(memberId, msg.sender, duesToken, amount, periods, paidUntil_);
    }

    /// @dev A lapsed member whose dues are current again gets its vote back (after the payment is in).
    // slither-disable-next-line calls-loop,timestamp -- the registry is the system's own contract; dues periods are days
    function _restoreIfCurrent(uint256 memberId) private {
        if (registry.member(memberId).status == IMemberRegistry.Status.Lapsed && !duesLapsed(memberId)) {
            registry.restore(memberId);
        }
    }

    /// @dev Reports a sponsorship of `amount` from the caller's seat to the registry's contribution ledger.
    // slither-disable-next-line reentrancy-events -- the registry and the ledger are the system's own contracts, and contribute is nonReentrant
    function _recordSponsorship(uint256 amount) private {
        address ledger = registry.contributionsLedger();
        if (ledger != address(0)) IContributionLedger(ledger).recordSponsorship(msg.sender, amount);
    }

    function _coveredUntil(uint256 memberId, uint48 joinedAt) private view returns (uint48) {
        uint48 paid = _paidUntil[memberId];
        return paid > joinedAt ? paid : joinedAt;
    }

    /// @dev Takes `amount`: exactly the ETH sent with the call, or an ERC-20 pulled from the caller.
    /// Returns what arrived: for an ERC-20, the treasury's balance after the pull less before it.
    function _collect(IERC20 token, uint256 amount) private returns (uint256 received) {
        if (address(token) == address(0)) {
            if (msg.value != amount) revert TreasuryWrongValue(amount, msg.value);
            return amount;
        }
        if (msg.value != 0) revert TreasuryWrongValue(0, msg.value);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        return token.balanceOf(address(this)) - before;
    }

    /// @dev Takes dues of `amount` in the dues asset; reverts unless all of it arrived.
    function _collectInFull(uint256 amount) private {
        uint256 received = _collect(duesToken, amount);
        if (received < amount) revert TreasuryShortfall(duesToken, amount, received);
    }

    // slither-disable-next-line arbitrary-send-eth,low-level-calls -- reached only by the timelock (spend) or a budget holder within its allowance (spendBudget); success checked
    function _pay(IERC20 token, address recipient, uint256 amount) private {
        if (amount == 0) revert TreasuryZeroAmount();
        if (recipient == address(0)) revert TreasuryInvalidRecipient(recipient);
        uint256 balance = address(token) == address(0) ? address(this).balance : token.balanceOf(address(this));
        if (amount > balance) revert TreasuryInsufficientFunds(token, balance, amount);
        if (address(token) != address(0)) return token.safeTransfer(recipient, amount);
        (bool ok, ) = recipient.call{value: amount}("");
        if (!ok) revert TreasuryTransferFailed(recipient, amount);
    }

    function _setDues(uint8 tierId, uint256 amountPerPeriod) private {
        _duesPerPeriod[tierId] = amountPerPeriod;
        emit DuesSet(tierId, amountPerPeriod);
    }

    function _setTerms(uint48 duesPeriod_, uint48 gracePeriod_) private {
        if (duesPeriod_ == 0) revert TreasuryInvalidTerms(duesPeriod_, gracePeriod_);
        (duesPeriod, gracePeriod) = (duesPeriod_, gracePeriod_);
        emit DuesTermsSet(duesPeriod_, gracePeriod_);
    }
}
