# Feature-level requirements: the archive checks them on every client-document message the
# scenarios below cause (frame, identity, metadata and signature rules), so every scenario verifies them.
@area:own-register-storage
@req:REQ-SRV-006 @req:REQ-DOC-012 @req:REQ-DOC-020 @req:REQ-QRY-019 @req:REQ-ARC-035 @req:REQ-DOC-040
@req:REQ-DOC-041 @req:REQ-DOC-043 @req:REQ-DOC-050 @req:REQ-DOC-051 @req:REQ-DOC-024 @req:REQ-SIG-002
@req:REQ-SU-001 @req:REQ-CASE-003
@req:REQ-DOC-030 @req:REQ-ID-014
Feature: New versions and annulment (uusi versio, mitätöinti)
  An archived document is never changed: a correction or update is a new
  version, numbered one up, and an annulment is a last version. Whatever
  refers to a document is annulled before it (handbook 9.12.3, 11.3).

  Background:
    Given a test client "A"
    And the system has opened a client relation for "A"
    And the system has opened a case "K" for "A"

  @req:REQ-DOC-033 @req:REQ-DOC-034 @about:REQ-ARC-017 @req:REQ-SRV-030 @req:REQ-SRV-032
  Scenario: A corrected decision is archived as the next version
    Given the system has stored a decision "D" in case "K"
    When the system stores a new version of "D"
    Then the archive accepted every message of the action
    And the archive read the last message as a new version
    And the archive holds "D" at version 2

  @about:REQ-ARC-018 @req:REQ-ARC-019
  Scenario: A correction names the corrector, the job title and the grounds
    Given the system has stored a plan "P" in case "K"
    When the system stores a new version of "P"
    Then the archive accepted every message of the action
    And the last message carried correction data

  @about:REQ-SRV-034 @req:REQ-ARC-024 @req:REQ-DOC-035 @req:REQ-ARC-023
  Scenario: An annulled document's last version is its annulment
    Given the system has stored a journal entry "J" in case "K"
    When the system annuls "J"
    Then the archive accepted every message of the action
    And the archive holds "J" as annulled

  @req:REQ-DOC-036 @about:REQ-ARC-025 @area:case-management
  Scenario: Annulling a case first annuls its documents
    Given the system has stored a decision "D" in case "K"
    When the system annuls "K"
    Then the archive accepted every message of the action
    And the archive holds "D" as annulled
    And the archive holds "K" as annulled

  @about:REQ-ARC-025 @area:client-relation-management
  Scenario: Annulling a client relation document comes last
    Given the system has stored a plan "P" in case "K"
    When the system annuls "A"
    Then the archive accepted every message of the action
    And the archive holds "P" as annulled
    And the archive holds "K" as annulled
    And the archive holds "A" as annulled

  @about:REQ-DOC-034 @negative
  Scenario: No new version is stored on top of an annulled document
    Given the system has stored a journal entry "J" in case "K"
    And the system annuls "J"
    When the system is asked to store a new version of "J"
    Then the system refused the action without sending it to the archive

  # A structure's status (Valmis, Vanhentunut) and whether THL publishes it at all are known
  # only from THL's structures: the archive judges them (BODY-STRUCTURE-STATUS,
  # BODY-STRUCTURE-UNSUPPORTED) when run with --sosmeta DIR. With only the embedded fallback
  # schemas these scenarios are not tested, neither passed nor failed.
  # The archive refuses a plan or its new version whose structure is not Valmis, or for the
  # new version not a supported (Vanhentunut) one.
  @about:REQ-ARC-005 @about:REQ-ARC-006 @about:REQ-ARC-007 @about:REQ-DOC-025
  Scenario: A document and its new version are archived in structures THL publishes
    Given the archive judges bodies with THL's Sosmeta structures
    And the system has stored a plan "P" in case "K"
    When the system stores a new version of "P"
    Then the archive accepted every message of the action
    And the archive holds "P" at version 2

  # An annulment is accepted whatever the status of its structure (BODY-STRUCTURE-STATUS and
  # BODY-STRUCTURE-UNSUPPORTED exempt it).
  @about:REQ-ARC-008
  Scenario: An annulment is archived whatever the status of its structure
    Given the archive judges bodies with THL's Sosmeta structures
    And the system has stored a plan "P" in case "K"
    When the system annuls "P"
    Then the archive accepted every message of the action
    And the archive holds "P" as annulled
