// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title DescriptionTags
 * @notice How a proposer marks how its proposal is voted on: a tag at the end of the description
 * (`#sealed`, `#election`), before OpenZeppelin's `#proposer=0x…` reservation if there is one. The
 * description is part of the proposal id, so a tag can be neither added nor removed later, and every
 * tool reading ProposalCreated sees it.
 */
library DescriptionTags {
    /// @dev "#proposer=0x" and 40 hex digits, which OZ's {Governor-propose} checks.
    uint256 private constant PROPOSER_SUFFIX = 52;

    /// @notice Whether `description` ends with `tag` (its first `tagLength` bytes), or with `tag` followed by
    /// a proposer reservation.
    function endsWith(string memory description, bytes32 tag, uint256 tagLength) internal pure returns (bool) {
        uint256 length = bytes(description).length;
        if (length >= PROPOSER_SUFFIX && bytes12(_wordAt(description, length - PROPOSER_SUFFIX)) == "#proposer=0x") {
            length -= PROPOSER_SUFFIX;
        }
        if (length < tagLength) return false;
        uint256 drop = 256 - 8 * tagLength; // compare the first tagLength bytes only
        return (_wordAt(description, length - tagLength) >> drop) == (tag >> drop);
    }

    /// @dev The 32 bytes of `text` from `offset` (past its end: whatever memory follows, never compared).
    // slither-disable-next-line assembly -- reads a description's bytes in place
    function _wordAt(string memory text, uint256 offset) private pure returns (bytes32 word) {
        assembly ("memory-safe") {
            word := mload(add(add(text, 0x20), offset))
        }
    }
}
