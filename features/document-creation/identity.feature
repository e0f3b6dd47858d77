# Feature-level requirements: the archive checks them on every client-document message the
# scenarios below cause (frame, identity, metadata and signature rules), so every scenario verifies them.
@area:document-creation
@req:REQ-SRV-006 @req:REQ-DOC-012 @req:REQ-DOC-020 @req:REQ-QRY-019 @req:REQ-ARC-035 @req:REQ-DOC-040
@req:REQ-DOC-041 @req:REQ-DOC-043 @req:REQ-DOC-050 @req:REQ-DOC-051 @req:REQ-DOC-024 @req:REQ-SIG-002
@req:REQ-SU-001 @req:REQ-CASE-003
Feature: Temporary identifiers (tilapäinen tunniste) and the identity code
  A client without a personal identity code is archived under a temporary
  identifier: an OID-rooted identifier the client system creates, unique to
  the client and unchanged until the identity code replaces it (handbook
  9.11).

  @area:client-relation-management @area:case-management
  @about:REQ-ID-002 @req:REQ-ID-003
  Scenario: Each client keeps one temporary identifier of its own across documents and versions
    Given a test client "T" known only by a temporary identifier
    And a test client "U" known only by a temporary identifier
    And the system has opened a client relation for "T"
    When the system opens a client relation for "U"
    Then the archive accepted every message of the action
    When the system opens a case "K" for "T"
    Then the archive accepted every message of the action
    When the system stores a journal entry "J" in case "K"
    Then the archive accepted every message of the action
    When the system stores a new version of "J"
    Then the archive accepted every message of the action
    And the archive holds "J" at version 2

  @area:case-management
  @about:REQ-ID-007
  Scenario: A case document gets the identity code in the new version stored when a document is added
    Given a test client "T" known only by a temporary identifier
    And the system has opened a client relation for "T"
    And the system has opened a case "K" for "T"
    And the system replaces the temporary identifier of "T" with an identity code
    When the system stores a journal entry "J" in case "K"
    Then the archive accepted every message of the action
    And the archive holds "J" under the identity code of "T"
    And the archive holds "case:K" under the identity code of "T"

  @area:case-management
  @about:REQ-ID-007
  Scenario: A closed case document is not changed when the identity code arrives
    Given a test client "T" known only by a temporary identifier
    And the system has opened a client relation for "T"
    And the system has opened a case "K" for "T"
    And the system closes case "K"
    When the system replaces the temporary identifier of "T" with an identity code
    Then the archive accepted every message of the action
    And the archive holds "crd:T" under the identity code of "T"
    And the archive holds "case:K" at version 2

  @area:own-register-storage
  @about:REQ-ID-009
  Scenario: A new version of a PDF document uses the identity code once it is known
    Given a test client "T" known only by a temporary identifier
    And the system has opened a client relation for "T"
    And the system has opened a case "K" for "T"
    And the system has stored an other document "O" in case "K"
    And the system replaces the temporary identifier of "T" with an identity code
    When the system stores a new version of "O"
    Then the archive accepted every message of the action
    And the archive holds "O" at version 2
    And the archive holds "O" under the identity code of "T"
